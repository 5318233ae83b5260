/**
 * Connection URLs end up in logs, error messages and the dashboard; the password never should.
 */

/**
 * Returns `url` with its password replaced by `***`, or unchanged when it has none.
 *
 * @example
 * maskUrl('postgres://app:s3cret@db:5432/plugboard'); // 'postgres://app:***@db:5432/plugboard'
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser accepts: hide all from `user:` to the last `@` (too much beats too little).
    return url.replace(/^([^:/]+:\/\/[^:/@]*:).*@/, '$1***@');
  }
}

/**
 * Returns `url` pointing at database `name` instead of the one it names.
 *
 * @example
 * withDatabase('postgres://postgres@127.0.0.1:5432/test', 'plugboard_test_1'); // '.../plugboard_test_1'
 */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}
