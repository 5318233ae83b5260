/**
 * The message of any thrown value, for logs and status fields: an Error's `message`, anything
 * else as a string.
 *
 * @example
 * runtime.error = errorMessage(err); // 'connect ECONNREFUSED 127.0.0.1:5432'
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
