import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../database/createDatabase.js';
import { createHttpApp } from '../http/createHttpApp.js';
import { startHttpServer, type RunningServer } from '../http/server.js';
import type { Kernel } from '../kernel/Kernel.js';
import { loadConfig, type LoadedConfig } from '../kernel/loadConfig.js';
import { watchConfig } from '../kernel/watchConfig.js';
import { parseDuration } from '@plugboard/plugin-api';
import { CORE_VERSION } from '../version.js';
import { bootKernel, openDatabase } from './bootKernel.js';
import { createLogger } from './createLogger.js';

export interface AppHostOptions {
  /** The config file. */
  configPath: string;
  /** Command-line overrides of `server.host` / `server.port`. */
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** A logger to use instead of one made from `logging.level`. */
  logger?: Logger;
}

/**
 * The whole server: config, database, kernel and HTTP, started and stopped in the right order.
 * HTTP listens before plugins start so `/healthz` answers (and `/readyz` says 503) during start.
 *
 * @example
 * const host = await AppHost.start({ configPath: 'config/plugboard.yaml' });
 * process.once('SIGTERM', () => void host.stop());
 */
export class AppHost {
  readonly kernel: Kernel;
  readonly database: DatabaseHandle;
  readonly server: RunningServer;
  readonly logger: Logger;
  readonly readyMs: number;
  #stopWatching: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(parts: { kernel: Kernel; database: DatabaseHandle; server: RunningServer; logger: Logger; readyMs: number }) {
    this.kernel = parts.kernel;
    this.database = parts.database;
    this.server = parts.server;
    this.logger = parts.logger;
    this.readyMs = parts.readyMs;
  }

  static async start(options: AppHostOptions): Promise<AppHost> {
    const began = performance.now();
    const env = options.env ?? process.env;
    const load = (text?: string) =>
      loadConfig({ path: resolve(options.configPath), coreVersion: CORE_VERSION, env, ...(text === undefined ? {} : { text }) });
    const config = await load();
    const logger = options.logger ?? createLogger(config.logging.level, env);
    const database = await openDatabase(config, logger);
    let kernel: Kernel | undefined;
    let server: RunningServer | undefined;
    try {
      ({ kernel } = bootKernel({ config, logger, database, loadConfig: load }));
      const app = createHttpApp({
        kernel,
        logger,
        bodyLimit: config.server.bodyLimit,
        adminMaxFailures: config.server.adminMaxFailures,
        adminFailureWindowMs: parseDuration(config.server.adminFailureWindow, 'server.adminFailureWindow'),
        ...(config.server.adminToken ? { adminToken: config.server.adminToken } : {}),
        database,
      });
      const listenHost = options.host ?? config.server.host;
      server = await startHttpServer(app, {
        host: listenHost,
        port: options.port ?? config.server.port,
        logger,
        headersTimeoutMs: parseDuration(config.server.headersTimeout, 'server.headersTimeout'),
        requestTimeoutMs: parseDuration(config.server.requestTimeout, 'server.requestTimeout'),
        keepAliveTimeoutMs: parseDuration(config.server.keepAliveTimeout, 'server.keepAliveTimeout'),
        maxConnections: config.server.maxConnections,
      });
      kernel.listeningAt({ host: listenHost, port: server.port });
      await kernel.start();
    } catch (err) {
      await server?.close({ graceMs: 1000 });
      await kernel?.stop();
      await database.close();
      throw err;
    }
    const host = new AppHost({ kernel, database, server, logger, readyMs: performance.now() - began });
    if (config.kernel.watch) {
      host.#stopWatching = watchConfig({
        path: config.path,
        debounceMs: config.kernel.watchDebounceMs,
        logger,
        reload: async (text) => kernel.reload(await load(text)),
      });
    }
    return host;
  }

  get config(): LoadedConfig {
    return this.kernel.config;
  }

  /**
   * Stops taking connections, lets requests in flight finish, stops plugins in reverse order
   * (so buffers flush), then closes the database. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopWatching?.();
      await this.server.close({ graceMs: 10_000 });
      await this.kernel.stop();
      await this.database.close();
    })();
    return this.#stopping;
  }
}
