/**
 * The REST API's input, as zod schemas over the wire format (snake_case JSON, query strings).
 * Field names in error messages are the ones a client sent: `body[0].prompt_tokens`.
 */
import { z } from 'zod';
import { CONVERSATION_STATUSES, type ExchangeInput } from './types.js';

const INT32_MAX = 2_147_483_647;
const tokens = z.number().int().min(0).max(INT32_MAX);

/** A UTF-16 surrogate without its pair: JSON can carry one (`"\ud800"`), UTF-8 cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text PostgreSQL can store as sent: it has no NUL character (`\u0000`), which the driver would
 * otherwise alter or refuse, and no lone surrogate, which the driver would silently store as U+FFFD.
 */
export function text(schema: z.ZodString = z.string()) {
  return schema
    .refine((s) => !s.includes('\u0000'), { message: 'Invalid text: must not contain the NUL character (\\u0000)' })
    .refine((s) => !LONE_SURROGATE.test(s), {
      message: 'Invalid text: must not contain a lone surrogate (\\ud800 to \\udfff without its pair): send valid Unicode',
    });
}

/**
 * A user id in a path: decimal digits only, so `0x10`, `0b1`, `+1` or ` 1 ` (all read as numbers
 * by `Number`) are refused rather than taken for another user's id.
 */
export const userIdSchema = z
  .string()
  .regex(/^\d+$/, { message: 'Invalid id: use decimal digits only, such as 42' })
  .transform(Number)
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

const DAY_MS = 86_400_000;
const dateTime = z.iso.datetime({ offset: true });
const plainDate = z.iso.date();
const DATE_TIME = 'an RFC 3339 date-time with an offset, such as 2025-01-31T12:00:00Z or 2025-01-31T12:00:00+02:00';

/** The earliest `created_at` accepted. */
export const MIN_CREATED_AT = new Date('2000-01-01T00:00:00Z');

/**
 * `created_at` of an exchange: an RFC 3339 date-time with `Z` or an offset (a time without one
 * would be read in the server's time zone), a real calendar date, from 2000-01-01 up to a day
 * after now, as a Date.
 */
export const createdAtSchema = z
  .string()
  .refine((s) => dateTime.safeParse(s).success, { message: `Invalid date-time: use ${DATE_TIME}` })
  .transform((s) => new Date(s))
  .refine((d) => d >= MIN_CREATED_AT && d.getTime() <= Date.now() + DAY_MS, {
    message: 'Out of range: must be from 2000-01-01T00:00:00Z to one day after now',
  });

/** Bounds of analytics ranges: anything outside cannot match a stored conversation. */
const RANGE_MIN = new Date('1970-01-01T00:00:00Z');
const RANGE_MAX = new Date('9999-12-31T00:00:00Z');

/**
 * A bound of an analytics range: an RFC 3339 date-time with an offset, or a plain date
 * (`2025-01-31`, UTC midnight), a real calendar date between 1970-01-01 and 9999-12-31, as a Date.
 */
export const isoDate = z
  .string()
  .refine((s) => plainDate.safeParse(s).success || dateTime.safeParse(s).success, {
    message: `Invalid date: use a date such as 2025-01-31 (UTC midnight) or ${DATE_TIME}`,
  })
  .transform((s) => new Date(plainDate.safeParse(s).success ? `${s}T00:00:00Z` : s))
  .refine((d) => d >= RANGE_MIN && d <= RANGE_MAX, { message: 'Out of range: must be from 1970-01-01 to 9999-12-31' });

export const exchangeSchema = z
  .object({
    id: z.uuid(),
    user_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    username: text(z.string().min(1).max(255)).nullish(),
    ai_model: text(z.string().min(1).max(100)),
    user_message: text(),
    ai_response: text().nullish(),
    prompt_tokens: tokens,
    completion_tokens: tokens,
    // OpenAI-style usage objects carry it; the stored total is always the sum.
    total_tokens: tokens.optional(),
    status: z.enum(CONVERSATION_STATUSES).optional(),
    processing_time_ms: z.number().int().min(0).max(INT32_MAX).nullish(),
    created_at: createdAtSchema.optional(),
  })
  .strict()
  .refine((e) => e.prompt_tokens + e.completion_tokens <= INT32_MAX, {
    message: `Too big: prompt_tokens + completion_tokens must be <=${INT32_MAX}`,
    path: ['completion_tokens'],
  })
  .superRefine((e, ctx) => {
    const sum = e.prompt_tokens + e.completion_tokens;
    if (e.total_tokens === undefined || e.total_tokens === sum || sum > INT32_MAX) return;
    ctx.addIssue({
      code: 'custom',
      path: ['total_tokens'],
      message: `Invalid total: must equal prompt_tokens + completion_tokens, which is ${sum} (got ${e.total_tokens}); or leave it out`,
    });
  })
  .transform(
    (e): ExchangeInput => ({
      id: e.id.toLowerCase(),
      userId: e.user_id,
      username: e.username ?? null,
      aiModel: e.ai_model,
      userMessage: e.user_message,
      aiResponse: e.ai_response ?? null,
      promptTokens: e.prompt_tokens,
      completionTokens: e.completion_tokens,
      ...(e.status === undefined ? {} : { status: e.status }),
      processingTimeMs: e.processing_time_ms ?? null,
      ...(e.created_at === undefined ? {} : { createdAt: e.created_at }),
    }),
  );

/**
 * One exchange or a non-empty array of at most `max`, with issues reported at their own path
 * (`body.id` for an object, `body[2].id` for an array) rather than as a failed union.
 */
export function exchangesBody(max: number) {
  const many = z.array(exchangeSchema).min(1).max(max);
  return z.unknown().transform((value, ctx): { many: boolean; exchanges: ExchangeInput[] } => {
    const isArray = Array.isArray(value);
    const result = isArray ? many.safeParse(value) : exchangeSchema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { many: isArray, exchanges: isArray ? (result.data as ExchangeInput[]) : [result.data as ExchangeInput] };
  });
}

/**
 * A query-string schema that refuses parameters it does not know, naming them and the accepted
 * ones, so a misspelt parameter is not silently ignored.
 *
 * @example
 * parseQuery(c, strictQuery({ limit: limitSchema(100) })); // ?limt=5 -> "query: Unknown parameter 'limt': the accepted ones are limit"
 */
export function strictQuery<S extends z.ZodRawShape>(shape: S) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}: the accepted ones are ${accepted}`
        : undefined,
  });
}

/** `limit` bounded by the config; the service applies the default. */
export function limitSchema(max: number) {
  return z.coerce.number().int().min(1).max(max).optional();
}
