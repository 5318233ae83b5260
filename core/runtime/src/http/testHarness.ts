/**
 * Test support for the HTTP layer: a fake kernel, a logger that keeps its records, and a real
 * server on a free port. Used by the `*.test.ts` files beside it.
 */
import { Hono } from 'hono';
import { pino, type Logger } from 'pino';
import type { ChangeReport } from '../kernel/types.js';
import { createHttpApp } from './createHttpApp.js';
import { startHttpServer, type RunningServer } from './server.js';
import type { HostKernel, HttpAppOptions } from './types.js';

export const EMPTY_REPORT: ChangeReport = { started: [], stopped: [], restarted: [], failed: [] };

/** A HostKernel whose answers the test sets; `routes` is the live list dispatch reads. */
export interface FakeKernel extends HostKernel {
  routesList: { plugin: string; app: Hono }[];
  isReady: boolean;
}

export function fakeKernel(overrides: Partial<HostKernel> = {}): FakeKernel {
  const kernel: FakeKernel = {
    routesList: [],
    isReady: true,
    routes: () => kernel.routesList,
    plugins: () => [],
    ready: () => kernel.isReady,
    enable: async () => EMPTY_REPORT,
    disable: async () => EMPTY_REPORT,
    reload: async () => EMPTY_REPORT,
    services: () => [],
    tasks: () => [],
    ...overrides,
  };
  return kernel;
}

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A debug-level pino logger that keeps every record in `records`. */
export function memoryLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line) as LogRecord) });
  return { logger, records };
}

export interface TestHost {
  kernel: FakeKernel;
  server: RunningServer;
  records: LogRecord[];
  url(path: string): string;
}

/** Builds the host app with a fake kernel and serves it on 127.0.0.1 on a free port. */
export async function startTestHost(
  options: Partial<Omit<HttpAppOptions, 'kernel' | 'logger'>> & { kernel?: FakeKernel } = {},
): Promise<TestHost> {
  const { logger, records } = memoryLogger();
  const kernel = options.kernel ?? fakeKernel();
  const app = createHttpApp({ bodyLimit: 1024, ...options, kernel, logger });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger });
  return { kernel, server, records, url: (path) => `${server.url}${path}` };
}

/** A plugin's Hono app, as the kernel would hand it over. */
export function pluginApp(plugin: string, build: (app: Hono) => void): { plugin: string; app: Hono } {
  const app = new Hono();
  build(app);
  return { plugin, app };
}
