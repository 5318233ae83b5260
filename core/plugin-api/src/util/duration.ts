import { z } from 'zod';
import { PlugboardError } from '../errors/PlugboardError.js';
import type { Duration } from '../tasks/types.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** The longest delay Node's timers hold (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

function millis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value.trim());
  return match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : undefined;
}

/**
 * Milliseconds of a {@link Duration}: a non-negative number of ms, or a string such as
 * `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`. `what` names the setting in the error message.
 *
 * @example
 * parseDuration('30s', 'kernel.stopTimeout') // 30000
 */
export function parseDuration(value: Duration, what: string): number {
  const ms = millis(value);
  if (ms !== undefined && ms <= MAX_DURATION_MS) return ms;
  throw new PlugboardError(
    'invalidArgument',
    ms === undefined
      ? `${what} is ${JSON.stringify(value)}, which is not a duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h'.`
      : `${what} is ${JSON.stringify(value)}, longer than the ${MAX_DURATION_MS} ms (about 24 days) a timer can wait: use a shorter duration.`,
  );
}

/** True when `value` parses as a duration a timer can wait; for zod refinements. */
export function isDuration(value: unknown): value is Duration {
  const ms = millis(value);
  return ms !== undefined && ms <= MAX_DURATION_MS;
}

const DURATION_MESSAGE =
  "Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days";

/**
 * A duration setting: milliseconds as a number, or `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`.
 *
 * @example
 * z.object({ flushEvery: durationSchema.default('1s').describe('How often to flush') })
 */
export const durationSchema = z
  .union([z.number(), z.string()], { error: DURATION_MESSAGE })
  .refine(isDuration, { message: DURATION_MESSAGE });
