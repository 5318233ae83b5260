import { AppHost } from '../host/AppHost.js';
import { CORE_VERSION } from '../version.js';
import { startedByNpm, watchParent } from './parentWatch.js';

export interface StartOptions {
  config: string;
  host?: string;
  port?: number;
}

/**
 * `plugboard start`: runs the server until SIGINT or SIGTERM, then shuts down in order and
 * exits 0. A second signal while shutting down exits at once with code 130.
 */
export async function startCommand(options: StartOptions, out: NodeJS.WriteStream = process.stdout): Promise<void> {
  // Signals are handled from the first moment: one that arrives while starting is kept until the
  // start is done, then shuts down in order (the embedded database included); a second exits.
  let host: AppHost | undefined;
  let pending: NodeJS.Signals | undefined;
  let signals = 0;
  const shutDown = (running: AppHost, signal: NodeJS.Signals) => {
    running.logger.info(`Received ${signal}; shutting down (send it again to force).`);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        running.logger.error({ err }, 'Shutdown failed.');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      if (host) host.logger.warn(`Received ${signal} again; exiting without finishing shutdown.`);
      else process.stderr.write(`Received ${signal} again; exiting without finishing start-up.\n`);
      process.exit(130);
    }
    if (host) shutDown(host, signal);
    else pending = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (startedByNpm()) {
    // A parent that ends while we already shut down (a Ctrl+C reached npm too) is no second signal.
    watchParent(() => {
      if (signals > 0) return;
      const said = 'The npm process that started Plugboard ended (npm does not pass SIGTERM through its shell); shutting down as on SIGTERM.';
      if (host) host.logger.warn(said);
      else process.stderr.write(`${said}\n`);
      onSignal('SIGTERM');
    });
  }

  host = await AppHost.start({
    configPath: options.config,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  if (pending) {
    shutDown(host, pending);
    return;
  }
  // Announced only once signals are handled: whoever waits for this line may signal at once.
  out.write(summary(host));
}

function summary(host: AppHost): string {
  const url = host.server.url;
  const started = host.kernel
    .plugins()
    .filter((p) => p.state === 'started')
    .sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  const width = Math.max(0, ...started.map((p) => `${p.name} ${p.version}`.length));
  const lines = [
    '',
    `Plugboard ${CORE_VERSION} is ready at ${url} (${Math.round(host.readyMs)} ms)`,
    '',
    'Plugins, in start order:',
    ...started.map((p) => `  ${`${p.name} ${p.version}`.padEnd(width)}  ${p.startDurationMs ?? 0} ms`),
    ...host.kernel
      .plugins()
      .filter((p) => p.state !== 'started')
      .map((p) => `  ${p.name} ${p.version}: ${p.state}${p.error ? ` (${p.error})` : ''}`),
    '',
    ...entryPoints(host).map(([what, path]) => `  ${what.padEnd(10)}  ${url}${path}`),
    `  health      ${url}/healthz  ${url}/readyz`,
    `  admin       ${url}/admin ${host.config.server.adminToken ? '(bearer token from the config)' : '(off: set PLUGBOARD_ADMIN_TOKEN to turn it on)'}`,
    `  database    ${host.database.embedded ? `embedded PostgreSQL, data in ${host.database.dataDir ?? host.config.database.embedded.dataDir} (set DATABASE_URL to use your own server)` : host.database.displayUrl}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  return lines.join('\n');
}

/** The well-known entry points that some started plugin actually serves. */
function entryPoints(host: AppHost): [string, string][] {
  const paths = host.kernel.routes().flatMap(({ app }) => app.routes.map((r) => r.path));
  const known: [string, string][] = [
    ['API', '/api'],
    ['metrics', '/metrics'],
    ['dashboard', '/dashboard'],
  ];
  return known.filter(([, prefix]) => paths.some((p) => p === prefix || p.startsWith(`${prefix}/`)));
}
