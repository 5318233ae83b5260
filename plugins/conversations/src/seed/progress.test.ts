import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

describe('createProgress without a terminal', () => {
  it('logs once per tenth of the rows and once for the counters', () => {
    const lines: string[] = [];
    const sink = createProgress({ stream: { isTTY: false } as NodeJS.WriteStream, log: (l) => lines.push(l) });
    for (let done = 50; done <= 1000; done += 50) sink.update({ phase: done <= 100 ? 'users' : 'conversations', done, total: 1000 });
    sink.update({ phase: 'counters', done: 1000, total: 1000 });
    sink.stop();
    expect(lines).toEqual([
      'seed: users, 50/1000 rows (5%)',
      'seed: users, 100/1000 rows (10%)',
      ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => `seed: conversations, ${t * 100}/1000 rows (${t * 10}%)`),
      'seed: counters, 1000/1000 rows (100%)',
    ]);
  });
});
