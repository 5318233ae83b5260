/**
 * The one error class of Plugboard. Every failure the framework reports carries a `kind`, so
 * callers branch on `PlugboardError.is(err, 'missingDependency')` rather than on message text,
 * and a message that is a sentence: it quotes the ids involved and says what to change.
 */

/** What went wrong, as a stable machine-readable code. */
export type PlugboardErrorKind =
  /** A plugin module does not export a valid `definePlugin(...)` result. */
  | 'pluginInvalid'
  /** A plugin named in the config could not be found at any of the places searched. */
  | 'pluginNotFound'
  /** A plugin needs another plugin (or a service) that is missing or disabled. */
  | 'missingDependency'
  /** Plugins depend on each other in a loop. */
  | 'circularDependency'
  /** A plugin does not support this core version, or a dependency's version is out of range. */
  | 'versionMismatch'
  /** The config file, or a plugin's section of it, does not validate. */
  | 'configInvalid'
  /** A service ref was called while no provider is registered for it. */
  | 'serviceUnavailable'
  /** A plugin reached for a service ref it did not declare in `consumes`. */
  | 'serviceUndeclared'
  /** A plugin's setup or a stop hook threw. */
  | 'pluginStartFailed'
  | 'pluginStopFailed'
  /** A hook, task or drain did not finish within its time limit. */
  | 'timeout'
  /** An operation is not allowed in the current state (for example: disabling a plugin others consume). */
  | 'invalidState'
  /** Bad input from a caller of the framework's API (an unknown plugin name, a bad duration...). */
  | 'invalidArgument';

export interface PlugboardErrorOptions {
  cause?: unknown;
  /** Extra structured facts (plugin names, ref ids) for logs and the admin API. */
  details?: Record<string, unknown>;
}

export class PlugboardError extends Error {
  override readonly name = 'PlugboardError';
  readonly kind: PlugboardErrorKind;
  readonly details: Record<string, unknown>;

  constructor(kind: PlugboardErrorKind, message: string, options: PlugboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.details = options.details ?? {};
  }

  /**
   * True when `err` is a PlugboardError, and of `kind` when one is given. Works across copies of
   * `@plugboard/core` (a third-party plugin may bundle its own) by checking the shape, not the class.
   *
   * @example
   * if (PlugboardError.is(err, 'configInvalid')) process.exitCode = 2;
   */
  static is(err: unknown, kind?: PlugboardErrorKind): err is PlugboardError {
    if (!(err instanceof Error) || err.name !== 'PlugboardError') return false;
    const errKind = (err as { kind?: unknown }).kind;
    if (typeof errKind !== 'string') return false;
    return kind === undefined || errKind === kind;
  }
}

/** Formats a list of ids the way every message does: `'a', 'b' and 'c'`. */
export function quoteList(ids: readonly string[]): string {
  const quoted = ids.map((id) => `'${id}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
