import { afterEach, describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import type { PluginInfo } from '@plugboard/plugin-api';
import type { ChangeReport } from '../kernel/types.js';
import { ADMIN_OFF_MESSAGE } from './adminAuth.js';
import { EMPTY_REPORT, fakeKernel, startTestHost, type FakeKernel, type TestHost } from './testHarness.js';

const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 1000 });
  host = undefined;
});

/** `adminToken` null: no token configured. */
async function start(
  kernel: FakeKernel = fakeKernel(),
  adminToken: string | null = TOKEN,
  throttle: { adminMaxFailures?: number; adminFailureWindowMs?: number } = {},
): Promise<TestHost> {
  host = await startTestHost({ kernel, ...(adminToken === null ? {} : { adminToken }), ...throttle });
  return host;
}

const metrics: PluginInfo = {
  name: 'metrics',
  version: '1.2.0',
  state: 'started',
  enabled: true,
  onFailure: 'abort',
  source: 'plugins/metrics',
  dependencies: [],
  provides: ['metrics.meterProvider'],
  consumes: [],
  startedAt: new Date('2025-01-02T03:04:05.000Z'),
  startDurationMs: 12,
};

describe('admin API', () => {
  describe('without a configured token', () => {
    it('answers every admin route 404 admin_api_disabled and logs that once at info', async () => {
      const { url, records } = await start(fakeKernel(), null);
      for (const [method, path] of [['GET', '/admin/plugins'], ['POST', '/admin/plugins/x/enable'], ['GET', '/admin']]) {
        const res = await fetch(url(path!), { method: method!, headers: { ...auth, 'x-request-id': 'r1' } });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { code: 'admin_api_disabled', message: ADMIN_OFF_MESSAGE, requestId: 'r1' } });
      }
      expect(records.filter((r) => r.msg === ADMIN_OFF_MESSAGE)).toEqual([expect.objectContaining({ level: 30 })]);
      expect(ADMIN_OFF_MESSAGE).toBe(
        'The admin API is off because no admin token is configured. Set server.adminToken in the config or the PLUGBOARD_ADMIN_TOKEN environment variable to turn it on.',
      );
    });
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate when the token is missing', async () => {
      const { url } = await start();
      const res = await fetch(url('/admin/plugins'), { headers: { 'x-request-id': 'r2' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="plugboard-admin"');
      expect(await res.json()).toEqual({
        error: { code: 'unauthorized', message: "The admin API needs a bearer token: send the header 'Authorization: Bearer <token>'.", requestId: 'r2' },
      });
    });

    it('answers 401 invalid_token for a wrong token, whatever its length', async () => {
      const { url } = await start();
      for (const wrong of ['s3cret-tokeN', 'x', `${TOKEN}${TOKEN}`]) {
        const res = await fetch(url('/admin/plugins'), { headers: { authorization: `Bearer ${wrong}`, 'x-request-id': 'r3' } });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="plugboard-admin", error="invalid_token"');
        expect(await res.json()).toEqual({
          error: { code: 'invalid_token', message: 'The bearer token does not match the configured admin token.', requestId: 'r3' },
        });
      }
    });

    it('answers 401 for another auth scheme', async () => {
      const { url } = await start();
      const res = await fetch(url('/admin/plugins'), { headers: { authorization: `Basic ${btoa(`admin:${TOKEN}`)}` } });
      expect(res.status).toBe(401);
    });

    it('does not reveal which admin routes exist without the token', async () => {
      const { url } = await start();
      expect((await fetch(url('/admin/no-such-route'))).status).toBe(401);
      expect((await fetch(url('/admin/no-such-route'), { headers: auth })).status).toBe(404);
    });
  });

  describe('throttling failed authentications', () => {
    const wrong = { authorization: 'Bearer not-the-admin-token' };
    const warnings = (records: TestHost['records']) => records.filter((r) => r.level === 40).map((r) => r.msg);

    it('answers 429 with Retry-After once an address failed too often, even with the right token, and warns twice', async () => {
      const { url, records } = await start(fakeKernel(), TOKEN, { adminMaxFailures: 3, adminFailureWindowMs: 60_000 });
      expect((await fetch(url('/admin/plugins'))).status).toBe(401);
      expect((await fetch(url('/admin/plugins'), { headers: wrong })).status).toBe(401);
      expect((await fetch(url('/admin/plugins'), { headers: wrong })).status).toBe(401);

      for (const headers of [auth, wrong, {}]) {
        const res = await fetch(url('/admin/plugins'), { headers: { ...headers, 'x-request-id': 'r7' } });
        expect(res.status).toBe(429);
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(await res.json()).toEqual({
          error: {
            code: 'too_many_requests',
            message: `Too many failed admin authentications from '127.0.0.1' (3 failures within 60 s). Try again in ${retryAfter} s, with the right token.`,
            requestId: 'r7',
          },
        });
      }
      expect(warnings(records)).toEqual([
        "Failed admin authentication from '127.0.0.1' (unauthorized). After 3 failures within 60 s the address is answered 429 until the window ends.",
        expect.stringMatching(/^3 failed admin authentication\(s\) from '127\.0\.0\.1' within 60 s; answering its admin requests 429 for \d+(\.\d+)? s\.$/),
      ]);
    });

    it('clears the count of an address when it sends the right token', async () => {
      const { url } = await start(fakeKernel(), TOKEN, { adminMaxFailures: 3, adminFailureWindowMs: 60_000 });
      const statuses: number[] = [];
      for (const headers of [wrong, wrong, auth, wrong, wrong, wrong, auth]) statuses.push((await fetch(url('/admin/plugins'), { headers })).status);
      // The count starts again after the 200, so the third failure after it is the one that blocks.
      expect(statuses).toEqual([401, 401, 200, 401, 401, 401, 429]);
    });

    it('lets the address in again once its window has passed', async () => {
      const { url } = await start(fakeKernel(), TOKEN, { adminMaxFailures: 2, adminFailureWindowMs: 200 });
      await fetch(url('/admin/plugins'), { headers: wrong });
      await fetch(url('/admin/plugins'), { headers: wrong });
      expect((await fetch(url('/admin/plugins'), { headers: auth })).status).toBe(429);
      await expect.poll(async () => (await fetch(url('/admin/plugins'), { headers: auth })).status, { timeout: 5000 }).toBe(200);
    });

    it('with the defaults, answers 200 wrong tokens 401 ten times, then 429, with two warnings', async () => {
      const { url, records } = await start();
      const statuses = new Map<number, number>();
      for (let i = 0; i < 200; i++) {
        const { status } = await fetch(url('/admin/plugins'), { headers: { authorization: `Bearer wrong-token-${i}` } });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 401: 10, 429: 190 });
      expect(warnings(records)).toHaveLength(2);
    });
  });

  describe('with the token', () => {
    it('lists plugins, services and tasks', async () => {
      const kernel = fakeKernel({
        plugins: () => [metrics],
        services: () => [{ id: 'core.database', providers: [{ owner: 'core', ranking: 0, inFlight: 0, registeredAt: new Date('2025-01-01T00:00:00.000Z') }], declaredBy: [] }],
        tasks: () => [{ id: 'metrics.flush', plugin: 'metrics', name: 'flush', everyMs: 1000, timeoutMs: 1000, running: false, runs: 3, lastOutcome: 'ok' }],
      });
      const { url } = await start(kernel);
      const plugins = await fetch(url('/admin/plugins'), { headers: auth });
      expect(plugins.status).toBe(200);
      expect(await plugins.json()).toEqual({ plugins: [{ ...metrics, startedAt: '2025-01-02T03:04:05.000Z' }] });
      expect(await (await fetch(url('/admin/services'), { headers: auth })).json()).toEqual({
        services: [{ id: 'core.database', providers: [{ owner: 'core', ranking: 0, inFlight: 0, registeredAt: '2025-01-01T00:00:00.000Z' }], declaredBy: [] }],
      });
      expect(await (await fetch(url('/admin/tasks'), { headers: auth })).json()).toEqual({
        tasks: [{ id: 'metrics.flush', plugin: 'metrics', name: 'flush', everyMs: 1000, timeoutMs: 1000, running: false, runs: 3, lastOutcome: 'ok' }],
      });
    });

    it('enables a plugin and answers the change report', async () => {
      const calls: string[] = [];
      const report: ChangeReport = { started: ['batching'], stopped: [], restarted: ['conversations'], failed: [] };
      const kernel = fakeKernel({
        enable: async (name) => {
          calls.push(name);
          return report;
        },
      });
      const { url } = await start(kernel);
      const res = await fetch(url('/admin/plugins/batching/enable'), { method: 'POST', headers: auth });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(report);
      expect(calls).toEqual(['batching']);
    });

    it('disables with cascade from the query or the JSON body, default false', async () => {
      const calls: [string, boolean | undefined][] = [];
      const kernel = fakeKernel({
        disable: async (name, options) => {
          calls.push([name, options?.cascade]);
          return EMPTY_REPORT;
        },
      });
      const { url } = await start(kernel);
      const post = (path: string, init: RequestInit = {}) =>
        fetch(url(path), { method: 'POST', ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      expect((await post('/admin/plugins/metrics/disable')).status).toBe(200);
      expect((await post('/admin/plugins/metrics/disable?cascade=true')).status).toBe(200);
      expect((await post('/admin/plugins/metrics/disable', { headers: { 'content-type': 'application/json' }, body: '{"cascade":true}' })).status).toBe(200);
      expect((await post('/admin/plugins/metrics/disable?cascade=true', { headers: { 'content-type': 'application/json' }, body: '{"cascade":false}' })).status).toBe(200);
      expect(calls).toEqual([
        ['metrics', false],
        ['metrics', true],
        ['metrics', true],
        ['metrics', false],
      ]);
    });

    it('rejects a bad cascade value, a non-JSON body and malformed JSON', async () => {
      const kernel = fakeKernel();
      const { url } = await start(kernel);
      const post = (path: string, headers: Record<string, string>, body?: string) =>
        fetch(url(path), { method: 'POST', headers: { ...auth, 'x-request-id': 'r4', ...headers }, ...(body === undefined ? {} : { body }) });
      const badQuery = await post('/admin/plugins/metrics/disable?cascade=yes', {});
      expect(badQuery.status).toBe(400);
      expect(await badQuery.json()).toEqual({
        error: { code: 'invalid_request', message: "The query parameter 'cascade' must be 'true' or 'false', not 'yes'.", requestId: 'r4' },
      });
      expect((await post('/admin/plugins/metrics/disable', { 'content-type': 'text/plain' }, 'cascade')).status).toBe(415);
      const malformed = await post('/admin/plugins/metrics/disable', { 'content-type': 'application/json' }, '{cascade');
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
      const wrongType = await post('/admin/plugins/metrics/disable', { 'content-type': 'application/json' }, '{"cascade":"yes"}');
      expect(wrongType.status).toBe(400);
      expect(((await wrongType.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    });

    it('maps kernel errors to statuses and snake_case codes', async () => {
      const failures: Record<string, unknown> = {
        ghost: new PlugboardError('pluginNotFound', "Plugin 'ghost' was not found under plugins/. Check its name in the config."),
        bad: new PlugboardError('invalidArgument', "'Bad Name' is not a plugin name."),
        alerts: new PlugboardError('missingDependency', "Plugin 'alerts' needs 'metrics', which is disabled. Enable plugins.metrics in the config.", {
          details: { plugin: 'alerts', missing: ['metrics'] },
        }),
        metrics: new PlugboardError('invalidState', "Plugin 'metrics' is still starting. Try again once it started."),
        loop: new PlugboardError('circularDependency', "Plugins depend on each other in a loop: 'a' -> 'b' -> 'a'."),
        old: new PlugboardError('versionMismatch', "Plugin 'old' supports core '^0.0.1', not '0.1.0'."),
        broken: new PlugboardError('pluginStartFailed', "Plugin 'broken' failed to start: boom."),
        weird: new Error('kernel bug'),
      };
      const kernel = fakeKernel({
        enable: async (name) => {
          throw failures[name];
        },
      });
      const { url } = await start(kernel);
      const answer = async (name: string) => {
        const res = await fetch(url(`/admin/plugins/${name}/enable`), { method: 'POST', headers: { ...auth, 'x-request-id': 'r5' } });
        return { status: res.status, body: await res.json() };
      };
      const expected = (status: number, code: string, err: PlugboardError) => ({
        status,
        body: {
          error: {
            code,
            message: err.message,
            requestId: 'r5',
            ...(Object.keys(err.details).length > 0 ? { details: err.details } : {}),
          },
        },
      });
      expect(await answer('ghost')).toEqual(expected(404, 'plugin_not_found', failures.ghost as PlugboardError));
      expect(await answer('bad')).toEqual(expected(400, 'invalid_argument', failures.bad as PlugboardError));
      expect(await answer('alerts')).toEqual(expected(409, 'missing_dependency', failures.alerts as PlugboardError));
      expect(await answer('metrics')).toEqual(expected(409, 'invalid_state', failures.metrics as PlugboardError));
      expect(await answer('loop')).toEqual(expected(409, 'circular_dependency', failures.loop as PlugboardError));
      expect(await answer('old')).toEqual(expected(409, 'version_mismatch', failures.old as PlugboardError));
      expect(await answer('broken')).toEqual(expected(500, 'plugin_start_failed', failures.broken as PlugboardError));
      expect(await answer('weird')).toEqual({
        status: 500,
        body: { error: { code: 'internal_error', message: 'Internal server error (request id r5).', requestId: 'r5' } },
      });
    });

    it('reloads the config, answering 422 with the problems when it is invalid', async () => {
      let valid = false;
      const problems = ["plugins.metrics.port: Expected number, received string", "plugins.nope: unknown plugin 'nope'"];
      const kernel = fakeKernel({
        reload: async () => {
          if (!valid) throw new PlugboardError('configInvalid', "The config file 'config/plugboard.yaml' has 2 problems; the running config is kept.", { details: { problems } });
          return { started: ['alerts'], stopped: [], restarted: [], failed: [] };
        },
      });
      const { url } = await start(kernel);
      const rejected = await fetch(url('/admin/config/reload'), { method: 'POST', headers: { ...auth, 'x-request-id': 'r6' } });
      expect(rejected.status).toBe(422);
      expect(await rejected.json()).toEqual({
        error: {
          code: 'config_invalid',
          message: "The config file 'config/plugboard.yaml' has 2 problems; the running config is kept.",
          requestId: 'r6',
          details: { problems },
        },
      });
      valid = true;
      const accepted = await fetch(url('/admin/config/reload'), { method: 'POST', headers: auth });
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ started: ['alerts'], stopped: [], restarted: [], failed: [] });
    });
  });
});
