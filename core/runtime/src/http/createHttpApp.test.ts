import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlugboardError } from '@plugboard/plugin-api';
import { ApiError } from '@plugboard/plugin-api';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';
import { parseJsonBody } from '@plugboard/plugin-api';
import type { PluginInfo } from '@plugboard/plugin-api';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 1000 });
  host = undefined;
});

async function start(options: Parameters<typeof startTestHost>[0] = {}): Promise<TestHost> {
  host = await startTestHost(options);
  return host;
}

function syntaxErrorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`'${text}' parses`);
}

describe('createHttpApp', () => {
  it('answers /healthz with 200 and echoes a valid x-request-id', async () => {
    const { url } = await start();
    const res = await fetch(url('/healthz'), { headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('makes a request id when none is sent and logs the request at debug level', async () => {
    const { url, records } = await start();
    const res = await fetch(url('/healthz'));
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = records.find((r) => r.path === '/healthz');
    expect(line).toMatchObject({ level: 20, requestId: id, method: 'GET', path: '/healthz', status: 200 });
    expect(typeof line?.ms).toBe('number');
  });

  it('answers an unknown route with a JSON 404 naming the method and path', async () => {
    const { url } = await start();
    const res = await fetch(url('/nope?x=1'), { method: 'DELETE', headers: { 'x-request-id': 'r1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No route matches DELETE /nope.', requestId: 'r1' } });
  });

  describe('plugin routes', () => {
    it('tries plugin apps in start order; the first with a matching route answers', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('first', (app) => app.get('/api/same', (c) => c.text('first'))),
        pluginApp('second', (app) => {
          app.get('/api/same', (c) => c.text('second'));
          app.get('/api/only-second', (c) => c.text('second only'));
        }),
      ];
      const { url } = await start({ kernel });
      expect(await (await fetch(url('/api/same'))).text()).toBe('first');
      expect(await (await fetch(url('/api/only-second'))).text()).toBe('second only');
      // The list is read per request: a stopped plugin's routes are gone at once.
      kernel.routesList = kernel.routesList.slice(1);
      expect(await (await fetch(url('/api/same'))).text()).toBe('second');
    });

    it('keeps a 404 that a plugin route answers itself, without trying later plugins', async () => {
      const kernel = fakeKernel();
      let laterCalls = 0;
      kernel.routesList = [
        pluginApp('users', (app) => app.get('/api/users/:id', (c) => c.json({ error: { code: 'user_not_found', message: 'No such user.' } }, 404))),
        pluginApp('later', (app) =>
          app.get('/api/users/:id', (c) => {
            laterCalls += 1;
            return c.text('later');
          }),
        ),
      ];
      const { url } = await start({ kernel });
      const res = await fetch(url('/api/users/7'), { headers: { 'x-request-id': 'r2' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe('r2');
      expect(await res.json()).toEqual({ error: { code: 'user_not_found', message: 'No such user.' } });
      expect(laterCalls).toBe(0);
    });

    it('passes the request on when a plugin route calls c.notFound()', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('a', (app) => app.get('/api/thing', (c) => c.notFound())),
        pluginApp('b', (app) => app.get('/api/thing', (c) => c.text('from b'))),
      ];
      const { url } = await start({ kernel });
      expect(await (await fetch(url('/api/thing'))).text()).toBe('from b');
    });

    it('gives the body to the plugin whose route matched', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('a', (app) => app.post('/api/a', async (c) => c.text(`a:${await c.req.text()}`))),
        pluginApp('b', (app) => app.post('/api/echo', async (c) => c.json(await c.req.json()))),
      ];
      const { url } = await start({ kernel });
      const res = await fetch(url('/api/echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
      expect(await res.json()).toEqual({ n: 1 });
    });
  });

  describe('bad input', () => {
    function jsonPlugin() {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('echo', (app) => {
          app.post('/api/echo', async (c) => c.json(await c.req.json()));
          app.post('/api/validated', async (c) => c.json(await parseJsonBody(c, z.object({ n: z.number() }))));
        }),
      ];
      return kernel;
    }

    it('answers malformed JSON read by c.req.json() with 400 malformed_json', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const res = await fetch(url('/api/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'r3' },
        body: 'not json{',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { code: 'malformed_json', message: `The request body is not valid JSON: ${syntaxErrorOf('not json{')}`, requestId: 'r3' },
      });
    });

    it('answers malformed JSON read by parseJsonBody with 400 malformed_json', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const res = await fetch(url('/api/validated'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
    });

    it('answers a wrong content type with 415', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const res = await fetch(url('/api/validated'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"n":1}' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    });

    const tooLarge = {
      code: 'payload_too_large',
      message: 'The request body is larger than the limit of 1024 bytes. Send a smaller body or raise server.bodyLimit in the config.',
    };

    it('answers a body over the limit (by content-length) with 413 JSON', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const res = await fetch(url('/api/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'r4' },
        body: JSON.stringify({ s: 'x'.repeat(2000) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { ...tooLarge, requestId: 'r4' } });
    });

    it('answers a chunked body over the limit with 413 JSON', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const chunk = new TextEncoder().encode('x'.repeat(600));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      });
      const res = await fetch(url('/api/echo'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'r5' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { ...tooLarge, requestId: 'r5' } });
    });

    it('accepts a chunked body under the limit', async () => {
      const { url } = await start({ kernel: jsonPlugin() });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"n":'));
          controller.enqueue(new TextEncoder().encode('2}'));
          controller.close();
        },
      });
      const res = await fetch(url('/api/echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(await res.json()).toEqual({ n: 2 });
    });
  });

  describe('errors', () => {
    it('answers a thrown Error with a logged 500 and keeps serving', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [pluginApp('boom', (app) => app.get('/api/boom', () => { throw new Error('disk on fire'); }))];
      const { url, records } = await start({ kernel });
      const res = await fetch(url('/api/boom'), { headers: { 'x-request-id': 'r6' } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'Internal server error (request id r6).', requestId: 'r6' } });
      const logged = records.find((r) => r.level === 50);
      expect(logged).toMatchObject({ msg: 'Unhandled error in GET /api/boom: disk on fire', plugin: 'boom', requestId: 'r6' });
      expect((logged?.err as { stack: string }).stack).toContain('Error: disk on fire');
      expect((await fetch(url('/healthz'))).status).toBe(200);
    });

    it('answers a thrown non-Error value with a 500 JSON', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [pluginApp('odd', (app) => app.get('/api/odd', () => { throw 'a string'; }))];
      const { url, records } = await start({ kernel });
      const res = await fetch(url('/api/odd'), { headers: { 'x-request-id': 'r7' } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'Internal server error (request id r7).', requestId: 'r7' } });
      expect(records.find((r) => r.level === 50)?.msg).toBe(
        "Unhandled error in GET /api/odd: A route of plugin 'odd' threw a value that is not an Error: a string",
      );
    });

    it('answers a serviceUnavailable PlugboardError with 503', async () => {
      const kernel = fakeKernel();
      const message = "No provider is registered for 'conversations.writer'. Enable a plugin that provides it.";
      kernel.routesList = [
        pluginApp('api', (app) =>
          app.post('/api/write', () => {
            throw new PlugboardError('serviceUnavailable', message);
          }),
        ),
      ];
      const { url } = await start({ kernel });
      const res = await fetch(url('/api/write'), { method: 'POST', headers: { 'x-request-id': 'r11' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: 'service_unavailable', message, requestId: 'r11' } });
    });

    it('answers an ApiError with its status, code, message and details', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('api', (app) =>
          app.get('/api/conflict', () => {
            throw new ApiError(409, 'already_exists', "Conversation 'c1' already exists.", { details: { id: 'c1' } });
          }),
        ),
      ];
      const { url } = await start({ kernel });
      const res = await fetch(url('/api/conflict'), { headers: { 'x-request-id': 'r8' } });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({
        error: { code: 'already_exists', message: "Conversation 'c1' already exists.", requestId: 'r8', details: { id: 'c1' } },
      });
    });

    it('answers another HTTPException with a code from its status, keeping its headers', async () => {
      const kernel = fakeKernel();
      kernel.routesList = [
        pluginApp('api', (app) => {
          app.get('/api/forbidden', () => {
            throw new HTTPException(403, { message: 'Not yours.' });
          });
          app.get('/api/auth', () => {
            throw new HTTPException(401, { res: new Response('no', { status: 401, headers: { 'WWW-Authenticate': 'Basic' } }) });
          });
        }),
      ];
      const { url } = await start({ kernel });
      const forbidden = await fetch(url('/api/forbidden'), { headers: { 'x-request-id': 'r9' } });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toEqual({ error: { code: 'forbidden', message: 'Not yours.', requestId: 'r9' } });
      const auth = await fetch(url('/api/auth'), { headers: { 'x-request-id': 'r10' } });
      expect(auth.status).toBe(401);
      expect(auth.headers.get('www-authenticate')).toBe('Basic');
      expect(await auth.json()).toEqual({ error: { code: 'unauthorized', message: 'Unauthorized.', requestId: 'r10' } });
    });
  });

  describe('/readyz', () => {
    const RUNNING: PluginInfo = { name: 'api', version: '1.0.0', state: 'started', enabled: true, onFailure: 'abort', source: 'plugins/api', dependencies: [], provides: [], consumes: [] };

    it('answers 503 naming the failed checks, then 200 once plugins started and the database answers', async () => {
      const kernel = fakeKernel({
        plugins: () =>
          kernel.isReady
            ? [RUNNING]
            : [
                { name: 'metrics', version: '1.0.0', state: 'failed', enabled: true, onFailure: 'continue', source: 'plugins/metrics', dependencies: [], provides: [], consumes: [], error: 'port busy' },
                { name: 'alerts', version: '1.0.0', state: 'starting', enabled: true, onFailure: 'abort', source: 'plugins/alerts', dependencies: [], provides: [], consumes: [] },
                { name: 'off', version: '1.0.0', state: 'disabled', enabled: false, onFailure: 'abort', source: 'plugins/off', dependencies: [], provides: [], consumes: [] },
              ],
      });
      kernel.isReady = false;
      let databaseUp = false;
      const database = {
        ping: async () => {
          if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
      };
      const { url } = await start({ kernel, database });
      const notReady = await fetch(url('/readyz'));
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        status: 'not_ready',
        checks: {
          plugins: {
            ok: false,
            notStarted: [
              { name: 'metrics', state: 'failed', error: 'port busy' },
              { name: 'alerts', state: 'starting' },
            ],
            reason:
              'No plugin is running, so no request can be served. Enable one with plugins.<name>.enabled: true in the config file, or with POST /admin/plugins/<name>/enable.',
          },
          database: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' },
        },
      });
      kernel.isReady = true;
      databaseUp = true;
      const ready = await fetch(url('/readyz'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { plugins: { ok: true, notStarted: [] }, database: { ok: true } } });
    });

    it('answers 503 with the reason while no plugin runs, though none failed', async () => {
      const off = { ...RUNNING, name: 'conversations', state: 'disabled' as const, enabled: false };
      const kernel = fakeKernel({ plugins: () => [off] });
      const { url } = await start({ kernel, database: { ping: async () => undefined } });
      const res = await fetch(url('/readyz'));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not_ready',
        checks: {
          plugins: {
            ok: false,
            notStarted: [],
            reason:
              'No plugin is running, so no request can be served. Enable one with plugins.<name>.enabled: true in the config file, or with POST /admin/plugins/<name>/enable.',
          },
          database: { ok: true },
        },
      });
    });

    it('answers 503 when the database ping does not answer in time', async () => {
      const database = { ping: () => new Promise<void>(() => {}) };
      const { url } = await start({ kernel: fakeKernel({ plugins: () => [RUNNING] }), database, readyTimeoutMs: 20 });
      const res = await fetch(url('/readyz'));
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not_ready',
        checks: { plugins: { ok: true, notStarted: [] }, database: { ok: false, error: 'The database did not answer a ping within 20 ms.' } },
      });
    });
  });
});
