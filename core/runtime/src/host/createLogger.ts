import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/** Where log lines go: a stream that may be a terminal (`process.stdout` by default). */
export type LogOutput = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * `trace_id`, `span_id` and `trace_flags` of the span active where a line is logged (none outside
 * a span, or while no TracerProvider is installed), so a log line leads to its request's trace.
 */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2) };
}

/**
 * The process logger: readable lines on a terminal, JSON lines otherwise (for log shippers).
 * `PLUGBOARD_LOG_FORMAT=json|pretty` overrides the guess. Lines logged inside a span carry its
 * `trace_id` and `span_id` (see traceFields). Lines are written synchronously, so a
 * line logged before the start-up summary is printed before it, not in the middle of it.
 *
 * @example
 * const logger = createLogger('info'); // pretty in a terminal, JSON under a process manager
 */
export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env, out: LogOutput = process.stdout): Logger {
  const options: LoggerOptions = { level, mixin: traceFields };
  const format = env['PLUGBOARD_LOG_FORMAT'] ?? (out.isTTY === true ? 'pretty' : 'json');
  if (format === 'pretty') {
    const destination = out === process.stdout ? 1 : out;
    return pino(options, pretty({ colorize: out.isTTY === true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination, sync: true }));
  }
  return pino(options, out === process.stdout ? pino.destination({ fd: 1, sync: true }) : out);
}
