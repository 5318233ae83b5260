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


/** A read-only view of the running kernel: the `core.runtime` service, for dashboards. */
export interface RuntimeInfo {
  plugins(): PluginInfo[];
  services(): ServiceInfo[];
  tasks(): TaskStatus[];
  onServiceEvent(listener: ServiceEventListener): () => void;
}
