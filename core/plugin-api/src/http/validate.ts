/**
 * Request validation for route handlers: parse the JSON body, the query string or the path
 * parameters with a zod schema, or throw an {@link ApiError} whose message names every bad field.
 * Plugins call these inside their handlers, so a handler's code reads top to bottom with typed input.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './ApiError.js';

/** Where a value came from; the prefix of every field path in error messages. */
export type RequestPart = 'body' | 'query' | 'params';

/** One problem with one field, as `details` of the 400 answer carries it. */
export interface FieldIssue {
  /** `body[0].prompt_tokens`, `query.limit`, `params.id`. */
  field: string;
  message: string;
}

/**
 * Validates the JSON body. Answers 415 `unsupported_media_type` when the content type is not JSON,
 * 400 `malformed_json` when the body does not parse, and 400 `invalid_request` when it does not
 * match `schema`.
 *
 * @example
 * const input = await parseJsonBody(c, z.object({ name: z.string() }));
 */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!isJsonContentType(contentType)) {
    const got = contentType === '' ? 'no content type' : `'${contentType}'`;
    throw new ApiError(415, 'unsupported_media_type', `The request body must be JSON: send 'content-type: application/json' (got ${got}).`);
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiError(400, 'malformed_json', `The request body is not valid JSON: ${reason}.`, { cause: err });
  }
  return validate('body', schema, value);
}

/**
 * Validates the query string (the first value of each key; all values are strings, so use
 * `z.coerce` for numbers and dates).
 *
 * @example
 * const { limit } = parseQuery(c, z.object({ limit: z.coerce.number().int().max(100).default(20) }));
 */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return validate('query', schema, c.req.query());
}

/**
 * Validates the path parameters.
 *
 * @example
 * const { id } = parseParams(c, z.object({ id: z.uuid() }));
 */
export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return validate('params', schema, c.req.param());
}

/**
 * Validates `value` with `schema`, or throws ApiError 400 `invalid_request` listing every issue as
 * `<part><path>: <message>`, joined by `; `. The issues are also in the error's `details`.
 *
 * @example
 * validate('body', z.object({ n: z.number() }), {}); // throws "body.n: Invalid input: expected number, received undefined"
 */
export function validate<S extends z.ZodType>(part: RequestPart, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    field: fieldPath(part, issue.path),
    message: issue.message,
  }));
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new ApiError(400, 'invalid_request', message, { cause: result.error, details: { issues } });
}

/** `body` + `[0, 'prompt_tokens']` -> `body[0].prompt_tokens`. */
export function fieldPath(part: RequestPart, path: readonly PropertyKey[]): string {
  let out: string = part;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function isJsonContentType(value: string): boolean {
  const mediaType = value.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}
