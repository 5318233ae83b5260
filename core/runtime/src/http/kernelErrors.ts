import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PlugboardError, type PlugboardErrorKind } from '@plugboard/plugin-api';
import { ApiError } from '@plugboard/plugin-api';

/**
 * Status and snake_case code of every PlugboardError kind, in one place, so the admin API's codes
 * read like the REST routes' (`invalid_request`, `user_not_found`). 409 is a conflict with the running
 * plugins, 422 an invalid config, 500 a failure of the server or of a plugin.
 */
const ANSWER_BY_KIND = {
  pluginInvalid: [500, 'plugin_invalid'],
  pluginNotFound: [404, 'plugin_not_found'],
  missingDependency: [409, 'missing_dependency'],
  circularDependency: [409, 'circular_dependency'],
  versionMismatch: [409, 'version_mismatch'],
  configInvalid: [422, 'config_invalid'],
  serviceUnavailable: [503, 'service_unavailable'],
  serviceUndeclared: [500, 'service_undeclared'],
  pluginStartFailed: [500, 'plugin_start_failed'],
  pluginStopFailed: [500, 'plugin_stop_failed'],
  timeout: [500, 'timeout'],
  invalidState: [409, 'invalid_state'],
  invalidArgument: [400, 'invalid_argument'],
} as const satisfies Record<PlugboardErrorKind, readonly [ContentfulStatusCode, string]>;

/**
 * The status and code a PlugboardError kind answers with. A kind this core does not know (from a
 * newer copy of core bundled by a plugin) answers 500 with its name in snake_case.
 *
 * @example
 * kindAnswer('configInvalid') // { status: 422, code: 'config_invalid' }
 */
export function kindAnswer(kind: string): { status: ContentfulStatusCode; code: string } {
  const known = Object.hasOwn(ANSWER_BY_KIND, kind) ? ANSWER_BY_KIND[kind as PlugboardErrorKind] : undefined;
  if (known !== undefined) return { status: known[0], code: known[1] };
  return { status: 500, code: kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) };
}

/**
 * The admin API's answer to a kernel error: a PlugboardError becomes an ApiError with the status
 * and snake_case code of its kind (see {@link kindAnswer}), an invalid config keeping its
 * problems in `details`; anything else is returned unchanged.
 *
 * @example
 * try { return c.json(await kernel.enable(name)); } catch (err) { throw toApiError(err); }
 */
export function toApiError(err: unknown): unknown {
  if (!PlugboardError.is(err)) return err;
  const { status, code } = kindAnswer(err.kind);
  // Checked by shape, so a PlugboardError from another copy of core may lack `details`.
  const facts = err.details as Record<string, unknown> | undefined;
  const details = facts !== undefined && Object.keys(facts).length > 0 ? facts : undefined;
  return new ApiError(status, code, err.message, { cause: err, details });
}
