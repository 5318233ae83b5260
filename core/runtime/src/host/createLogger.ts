import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Where log lines go: a stream that may be a terminal (`process.stdout` by default). */
export type LogOutput = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * The process logger: readable lines on a terminal, JSON lines otherwise (for log shippers).
 * `PLUGBOARD_LOG_FORMAT=json|pretty` overrides the guess. Lines are written synchronously, so a
 * line logged before the start-up summary is printed before it, not in the middle of it.
 *
 * @example
 * const logger = createLogger('info'); // pretty in a terminal, JSON under a process manager
 */
export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env, out: LogOutput = process.stdout): Logger {
  const format = env['PLUGBOARD_LOG_FORMAT'] ?? (out.isTTY === true ? 'pretty' : 'json');
  if (format === 'pretty') {
    const destination = out === process.stdout ? 1 : out;
    return pino({ level }, pretty({ colorize: out.isTTY === true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination, sync: true }));
  }
  return pino({ level }, out === process.stdout ? pino.destination({ fd: 1, sync: true }) : out);
}
