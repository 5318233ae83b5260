/**
 * `npm start` and `npx plugboard start` run the command under `sh -c`. On SIGTERM (what a
 * container runtime or a process manager sends) npm passes the signal to that shell, which dies
 * without passing it on, and npm exits: the server would be left running, orphaned, with its
 * embedded PostgreSQL. `npm start` avoids the shell with `exec`; `npx` cannot, so a server that
 * npm started also treats the loss of its parent process as the signal to shut down.
 */

/** True when npm (a script or npx) started this process: npm sets `npm_command` for both. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['npm_command'] !== undefined;
}

/**
 * Calls `onGone` once when this process's parent ends (it is then re-parented, so its parent
 * pid changes). The check runs every `everyMs` on an unref'd timer; the returned function stops it.
 *
 * @example
 * const stop = watchParent(() => shutDown('parent ended'));
 */
export function watchParent(onGone: () => void, options: { everyMs?: number; ppid?: () => number } = {}): () => void {
  const ppid = options.ppid ?? (() => process.ppid);
  const first = ppid();
  const timer = setInterval(() => {
    if (ppid() === first) return;
    clearInterval(timer);
    onGone();
  }, options.everyMs ?? 200);
  timer.unref();
  return () => clearInterval(timer);
}
