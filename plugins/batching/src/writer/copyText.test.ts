import { describe, expect, it } from 'vitest';
import type { NewConversation } from '@plugboard/plugin-conversations';
import { copyChunks, copyLine, copyValue } from './copyText.js';

const row: NewConversation = {
  id: '3f0e9a8e-7d4c-4a44-9f55-0d6a3c1b2e11',
  userId: 42,
  aiModel: 'gpt-4o',
  userMessage: 'line one\nline\ttwo \\ end\r',
  aiResponse: null,
  promptTokens: 3,
  completionTokens: 5,
  totalTokens: 8,
  status: 'completed',
  processingTimeMs: null,
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
};

describe('COPY text', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(7)).toBe('7');
  });

  it('writes a row as tab-separated columns in table order', () => {
    expect(copyLine(row)).toBe(
      '3f0e9a8e-7d4c-4a44-9f55-0d6a3c1b2e11\t42\tgpt-4o\tline one\\nline\\ttwo \\\\ end\\r\t\\N\t3\t5\t8\tcompleted\t\\N\t2026-01-02T03:04:05.678Z\n',
    );
  });

  it('splits many rows into chunks that join back to every line', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ ...row, userId: i }));
    const chunks = [...copyChunks(rows, 1000)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(rows.map(copyLine).join(''));
  });
});
