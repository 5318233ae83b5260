import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PlugboardError, type PlugboardErrorKind } from '@plugboard/plugin-api';
import { ApiError } from '@plugboard/plugin-api';

const STATUS_BY_KIND: Partial<Record<PlugboardErrorKind, ContentfulStatusCode>> = {
  invalidArgument: 400,
  pluginNotFound: 404,
  invalidState: 409,
  missingDependency: 409,
  circularDependency: 409,
  versionMismatch: 409,
  configInvalid: 422,
};

/**
 * The admin API's answer to a kernel error: a PlugboardError becomes an ApiError whose code is its
 * kind (409 for conflicts with the running plugins, 422 for an invalid config with its problems
 * in `details`, 500 for failures); anything else is returned unchanged.
 *
 * @example
 * try { return c.json(await kernel.enable(name)); } catch (err) { throw toApiError(err); }
 */
export function toApiError(err: unknown): unknown {
  if (!PlugboardError.is(err)) return err;
  const status = STATUS_BY_KIND[err.kind] ?? 500;
  // Checked by shape, so a PlugboardError from another copy of core may lack `details`.
  const facts = err.details as Record<string, unknown> | undefined;
  const details = facts !== undefined && Object.keys(facts).length > 0 ? facts : undefined;
  return new ApiError(status, err.kind, err.message, { cause: err, details });
}
