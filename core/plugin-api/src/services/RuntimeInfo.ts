import type { FailurePolicy, PluginState } from '../plugin/types.js';
import type { ServiceEventListener, ServiceInfo } from './types.js';
import type { TaskStatus } from '../tasks/types.js';

/** A plugin as the admin API, the CLI and the dashboard show it. */
export interface PluginInfo {
  name: string;
  version: string;
  description?: string;
  state: PluginState;
  enabled: boolean;
  onFailure: FailurePolicy;
  /** Where it was loaded from (a folder or a package name). */
  source: string;
  /** Plugins that must run before this one, with the reason (`dependsOn` or the ref consumed). */
  dependencies: { plugin: string; reason: string }[];
  provides: string[];
  consumes: string[];
  startedAt?: Date;
  startDurationMs?: number;
  /** The last start or stop error, when state is `failed`. */
  error?: string;
}


/**
 * A read-only view of the running kernel: the `core.runtime` service, for dashboards. It answers
 * questions and changes nothing: reading any other member (`disable`, `reload`, `registry`, ...)
 * throws an `invalidArgument` PlugboardError, and it cannot be written to. Enabling, disabling
 * and reloading plugins is the operator's, through the admin API or the config file.
 *
 * @example
 * const runtime = ctx.get(coreServices.runtime);
 * const failed = runtime.plugins().filter((p) => p.state === 'failed').map((p) => p.name);
 * ctx.onStop(runtime.onServiceEvent((e) => ctx.logger.info({ event: e }, 'registry event')));
 */
export interface RuntimeInfo {
  /** Every plugin in the config, running or not. A new snapshot each call. */
  plugins(): PluginInfo[];
  /** Every service with its providers, best first. A new snapshot each call. */
  services(): ServiceInfo[];
  /** Every background task of every plugin. A new snapshot each call. */
  tasks(): TaskStatus[];
  /**
   * Subscribes to registry events; returns the unsubscribe function. The subscription is not
   * tied to the plugin: pass the returned function to `ctx.onStop`.
   */
  onServiceEvent(listener: ServiceEventListener): () => void;
  /**
   * Where the HTTP server listens (the port actually bound once it listens; the config's before
   * that, and in tests without a server), and whether the admin API is on (an admin token is set).
   * A plugin that serves pages uses it to decide whether they need the admin token: a host other
   * than a loopback address is reachable from elsewhere.
   */
  server(): { host: string; port: number; adminEnabled: boolean };
  /**
   * Checks an `Authorization` header against the admin token, in constant time, as the admin API
   * does: `'ok'` for `Bearer <the token>`, `'missing'` for no bearer token (not counted as a
   * failed attempt), `'wrong'` for another one, `'off'` when no admin token is configured,
   * `'throttled'` when `clientAddress` made too many failed attempts (`server.adminMaxFailures` within `server.adminFailureWindow`; counted
   * apart from the admin API's own). The token itself is never exposed.
   *
   * @example
   * const verdict = runtime.authorizeAdmin(c.req.header('authorization'), remoteAddressOf(c));
   * if (verdict !== 'ok') return c.text('The admin token is needed', 401);
   */
  authorizeAdmin(authorization: string | undefined, clientAddress?: string): 'ok' | 'missing' | 'wrong' | 'off' | 'throttled';
}
