import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { clientErrorListener } from './clientErrors.js';

export interface HttpServerOptions {
  host: string;
  /** 0 picks any free port; {@link RunningServer.port} tells which. */
  port: number;
  logger: Logger;
  /** Time a client has to send a request's headers (`server.headersTimeout`). Default 10 s. */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, at least `headersTimeoutMs` (`server.requestTimeout`). Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection waits for its next request (`server.keepAliveTimeout`). Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Most connections open at once; 0 means no cap (`server.maxConnections`). Default 1024. */
  maxConnections?: number;
}

/** The defaults of config/schema.ts's `server` section, for callers that pass no limits. */
export const SERVER_LIMIT_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
} as const;

/** At most one warning about refused connections this often, with the count since the last one. */
const DROP_WARN_EVERY_MS = 60_000;

export interface RunningServer {
  /** `http://<host>:<port>` with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections and closes idle keep-alive connections at once. Requests in
   * flight finish, answered with `Connection: close` when their headers are not out yet, so
   * clients reconnect rather than reuse the connection; a request arriving on a connection still
   * open is answered the same way. After `graceMs` (default 10 s) the connections still open are
   * destroyed. Calling it again returns the same promise.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * Serves `app` on @hono/node-server. Resolves once listening; a port in use or an address that
 * cannot be bound rejects with an `invalidState` PlugboardError saying what to change.
 *
 * @example
 * const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger });
 * console.log(server.url);
 * await server.close({ graceMs: 5000 });
 */
export async function startHttpServer(app: Hono, options: HttpServerOptions): Promise<RunningServer> {
  const { host, logger } = options;
  const limits = { ...SERVER_LIMIT_DEFAULTS, ...definedOnly(options) };
  // Node checks the headers and request timeouts only every connectionsCheckingInterval (30 s by
  // default), which would let a slow client hold on for up to 30 s past either.
  const checkEveryMs = Math.max(1, Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs));
  // With only serverOptions the adaptor makes a plain node:http server.
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: host,
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
  }) as Server;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', clientErrorListener(limits));
  if (limits.maxConnections > 0) {
    server.maxConnections = limits.maxConnections;
    server.on('drop', warnOfDrops(logger, limits.maxConnections));
  }
  await listen(server, host, options.port);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  server.on('error', (err) => logger.error({ err }, `HTTP server error on ${url}: ${err.message}`));

  const open = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  // Before the app's listener, so Connection: close is set before a quick answer writes its headers.
  server.prependListener('request', (_req, res: ServerResponse) => {
    open.add(res);
    if (closing !== undefined) lastOnConnection(res);
    // Answers that began before shutdown could not say Connection: close, so their connections
    // stay open once done: closing one then would reset the next request a keep-alive client may
    // already be sending on it. That request is answered with Connection: close instead; a client
    // that sends none is let go when server.keepAliveTimeout, which it was told, runs out.
    res.once('close', () => open.delete(res));
  });
  logger.info(`HTTP server listening on ${url}.`);

  return {
    url,
    port,
    close(closeOptions = {}) {
      closing ??= new Promise<void>((resolve, reject) => {
        const graceMs = closeOptions.graceMs ?? DEFAULT_GRACE_MS;
        const timer = setTimeout(() => {
          logger.warn(`${open.size} request(s) still running ${graceMs} ms after the HTTP server began closing; closing their connections.`);
          server.closeAllConnections();
        }, graceMs);
        server.close((err) => {
          clearTimeout(timer);
          if (err === undefined) resolve();
          else reject(err);
        });
        for (const res of open) lastOnConnection(res);
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** The limits among `options` that are set, so they override the defaults and undefined does not. */
function definedOnly(options: HttpServerOptions): Partial<typeof SERVER_LIMIT_DEFAULTS> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections } = options;
  const given = { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/**
 * Node closes a connection past `maxConnections` as soon as it is accepted; this says so, at most
 * once a minute per server so a flood does not flood the log too, with how many were refused.
 */
function warnOfDrops(logger: Logger, maxConnections: number): (drop?: { remoteAddress?: string }) => void {
  let refused = 0;
  let lastWarnAt: number | undefined;
  return (drop) => {
    refused += 1;
    const now = performance.now();
    if (lastWarnAt !== undefined && now - lastWarnAt < DROP_WARN_EVERY_MS) return;
    const since = lastWarnAt === undefined ? '' : ' since the last warning';
    logger.warn(
      { remoteAddress: drop?.remoteAddress, refused },
      `Refused ${refused} connection(s)${since} (latest from '${drop?.remoteAddress ?? 'unknown'}'): the HTTP server already holds server.maxConnections (${maxConnections}) connections. Raise server.maxConnections, or lower server.keepAliveTimeout so idle connections close sooner.`,
    );
    refused = 0;
    lastWarnAt = now;
  };
}

/** Asks Node to close the connection after this answer, when its headers are not out yet. */
function lastOnConnection(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): PlugboardError {
  const where = `Cannot listen on ${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new PlugboardError('invalidState', `${where}: the port is in use. Set server.port in the config or pass --port.`, { cause: err });
    case 'EACCES':
      return new PlugboardError('invalidState', `${where}: permission denied (ports below 1024 need privileges). Set server.port in the config or pass --port.`, { cause: err });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new PlugboardError('invalidState', `${where}: the address is not one of this machine's. Set server.host in the config or pass --host.`, { cause: err });
    default:
      return new PlugboardError('invalidState', `${where}: ${err.message}. Check server.host and server.port in the config.`, { cause: err });
  }
}
