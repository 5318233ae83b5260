import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './createLogger.js';

/** A stream that says whether it is a terminal and keeps what is written to it. */
function output(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(stream, { text: () => text });
}

/** Lets the streams between pino and the output pass on what they hold. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('prints readable lines, not JSON, on a terminal', async () => {
    const out = output(true);
    createLogger('info', {}, out).info({ port: 3000 }, 'HTTP server listening.');
    await settled();
    const text = out.text().replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: HTTP server listening\.\n {4}port: 3000\n$/);
  });

  it('prints one JSON object a line when the output is not a terminal', async () => {
    const out = output(false);
    createLogger('info', {}, out).info({ port: 3000 }, 'HTTP server listening.');
    await settled();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'HTTP server listening.', port: 3000 });
  });

  it('follows PLUGBOARD_LOG_FORMAT over the guess, both ways', async () => {
    const terminal = output(true);
    createLogger('info', { PLUGBOARD_LOG_FORMAT: 'json' }, terminal).info('as JSON');
    await settled();
    expect(JSON.parse(terminal.text())).toMatchObject({ msg: 'as JSON' });

    const pipe = output(false);
    createLogger('info', { PLUGBOARD_LOG_FORMAT: 'pretty' }, pipe).info('readable');
    await settled();
    expect(pipe.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: readable\n$/);
  });
});
