import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process logger: readable lines on a terminal, JSON lines otherwise (for log shippers).
 * `PLUGBOARD_LOG_FORMAT=json|pretty` overrides the guess.
 */
export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const format = env['PLUGBOARD_LOG_FORMAT'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    return pino({ level }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level });
}
