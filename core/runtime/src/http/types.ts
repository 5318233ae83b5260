import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { PluginInfo } from '@plugboard/plugin-api';
import type { ChangeReport } from '../kernel/types.js';
import type { ServiceInfo } from '@plugboard/plugin-api';
import type { TaskStatus } from '@plugboard/plugin-api';

/**
 * What the HTTP layer needs from the kernel. The kernel satisfies it structurally; keeping the
 * interface here lets the HTTP layer be built and tested without a running kernel.
 */
/** A started plugin's app, as the dispatcher offers requests to it. */
export interface PluginRoute {
  plugin: string;
  app: Hono;
  /** Told of each request while the app has it, so a restart can drain the old instance's requests. */
  requests?: { enter(): void; leave(): void };
}

export interface HostKernel {
  /** Hono apps of started plugins, in start order. Changes as plugins start and stop, so it is read per request. */
  routes(): readonly PluginRoute[];
  plugins(): PluginInfo[];
  /** True when every enabled plugin has started. */
  ready(): boolean;
  /** With `cascade`, also starts again the plugins a cascade disable of `name` stopped. */
  enable(name: string, options?: { cascade?: boolean }): Promise<ChangeReport>;
  disable(name: string, options?: { cascade?: boolean }): Promise<ChangeReport>;
  /** Re-reads the config file; throws PlugboardError('configInvalid') with `details.problems`. */
  reload(): Promise<ChangeReport>;
  services(): ServiceInfo[];
  tasks(): TaskStatus[];
}

/** A database the readiness check can ping, and whose outages the error handler reports. */
export interface PingableDatabase {
  ping(): Promise<void>;
  /** Logs an outage once; without it, each "database unavailable" answer logs a warn. */
  outage?: { report(err: Error): void };
}

export interface HttpAppOptions {
  kernel: HostKernel;
  logger: Logger;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Bearer token of the admin API; without one the admin API is off. */
  adminToken?: string;
  /** Failed admin authentications one client address may make per window before it gets 429. Default 10. */
  adminMaxFailures?: number;
  /** That window, in ms. Default 5 minutes. */
  adminFailureWindowMs?: number;
  /** Checked by `/readyz` when given. */
  database?: PingableDatabase;
  /** How long `/readyz` waits for the database ping. Default 2000 ms. */
  readyTimeoutMs?: number;
}
