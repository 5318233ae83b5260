import { PlugboardError } from '../errors/PlugboardError.js';
import type { Duration } from '../tasks/types.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * Milliseconds of a {@link Duration}: a non-negative number of ms, or a string such as
 * `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`. `what` names the setting in the error message.
 *
 * @example
 * parseDuration('30s', 'kernel.stopTimeout') // 30000
 */
export function parseDuration(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match) return Math.round(Number(match[1]) * UNITS[match[2]!]!);
  }
  throw new PlugboardError(
    'invalidArgument',
    `${what} is ${JSON.stringify(value)}, which is not a duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h'.`,
  );
}

/** True when `value` parses as a duration; for zod refinements. */
export function isDuration(value: unknown): value is Duration {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && PATTERN.test(value.trim());
}
