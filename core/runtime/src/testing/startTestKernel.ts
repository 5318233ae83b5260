import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { stringify } from 'yaml';
import type { DatabaseService } from '@plugboard/plugin-api';
import { bootKernel } from '../host/bootKernel.js';
import { createHttpApp } from '../http/createHttpApp.js';
import type { Kernel } from '../kernel/Kernel.js';
import { loadConfig } from '../kernel/loadConfig.js';
import type { PluginDefinition } from '@plugboard/plugin-api';
import type { ServiceRef } from '@plugboard/plugin-api';
import type { ProviderRegistration } from '@plugboard/plugin-api';
import { CORE_VERSION } from '../version.js';

export interface TestKernelOptions {
  /** The plugins to run, started in dependency order. */
  plugins: PluginDefinition<any>[];
  /** Each plugin's config section, by plugin name, validated by its schema as in a config file. */
  config?: Record<string, Record<string, unknown>>;
  /** Provided as `core.database`; plugins' migrations run on it before their setup. */
  database?: DatabaseService;
  /** Largest request body for `fetch`, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Default: a silent logger. */
  logger?: Logger;
}

export interface TestKernel {
  kernel: Kernel;
  /** The live handle of any ref. */
  get<T extends object>(ref: ServiceRef<T>): T;
  /** Registers a provider owned by `'test'`. */
  provide<T extends object>(ref: ServiceRef<T>, impl: T, options?: { ranking?: number }): ProviderRegistration<T>;
  /** Sends a request through the same HTTP stack as the server (JSON errors, body limit, dispatch). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the plugins (the database is the caller's to close). */
  stop(): Promise<void>;
}

/**
 * Runs plugins in a real kernel for an integration test: config validated by each plugin's
 * schema, migrations applied, routes served through the host's HTTP stack.
 *
 * @example
 * const db = await createTestDatabase();
 * const app = await startTestKernel({ plugins: [conversations], database: db });
 * const res = await app.fetch('/api/users/1');
 * await app.stop();
 * await db.close();
 */
export async function startTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'plugboard-test-'));
  const path = join(dir, 'plugboard.yaml');
  const plugins = Object.fromEntries(options.plugins.map((p) => [p.name, options.config?.[p.name] ?? {}]));
  await writeFile(path, stringify({ logging: { level: 'silent' }, plugins }));
  const byName = new Map(options.plugins.map((p) => [p.name, p]));
  const config = await loadConfig({
    path,
    projectRoot: dir,
    coreVersion: CORE_VERSION,
    env: {},
    resolve: async (name) => ({ definition: byName.get(name)!, source: `test:${name}` }),
  }).finally(() => rm(dir, { recursive: true, force: true }));

  const database = options.database;
  // The same wiring as the app host: a test boots what users run.
  const { kernel } = bootKernel({ config, logger, ...(database ? { database } : {}) });
  const app = createHttpApp({ kernel, logger, bodyLimit: options.bodyLimit ?? 1_048_576, ...(database ? { database } : {}) });
  await kernel.start();
  return {
    kernel,
    get: (ref) => kernel.registry.handle(ref),
    provide: (ref, impl, provideOptions = {}) => kernel.registry.register(ref, impl, { owner: 'test', ...provideOptions }),
    fetch: async (p, init) => app.request(p, init),
    stop: () => kernel.stop(),
  };
}
