import { afterEach, expect, it } from 'vitest';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close();
  host = undefined;
});

async function serve(build: Parameters<typeof pluginApp>[1]): Promise<TestHost> {
  const kernel = fakeKernel();
  kernel.routesList.push(pluginApp('things', build));
  host = await startTestHost({ kernel });
  return host;
}

it("a plugin's answer goes out with its own status, headers and body, plus the request id the client sent", async () => {
  const { url } = await serve((app) => app.get('/api/thing', (c) => c.json({ name: 'ada' }, 202, { 'cache-control': 'no-store' })));
  const res = await fetch(url('/api/thing'), { headers: { 'x-request-id': 'req-42' } });
  expect(res.status).toBe(202);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('x-request-id')).toBe('req-42');
  expect(await res.json()).toEqual({ name: 'ada' });
});

it('a request id that is not a safe token is replaced by a new one', async () => {
  const { url } = await serve((app) => app.get('/api/thing', (c) => c.text('ok')));
  const res = await fetch(url('/api/thing'), { headers: { 'x-request-id': 'has space;and=more' } });
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('an answer whose headers are immutable is copied to carry the request id, and a streamed body arrives whole', async () => {
  const { url } = await serve((app) => {
    app.get('/api/old', () => Response.redirect('http://example.test/new', 308));
    app.get('/api/stream', () => {
      const chunks = ['one ', 'two ', 'three'];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    });
  });
  const moved = await fetch(url('/api/old'), { redirect: 'manual' });
  expect(moved.status).toBe(308);
  expect(moved.headers.get('location')).toBe('http://example.test/new');
  expect(moved.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const streamed = await fetch(url('/api/stream'));
  expect(streamed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(await streamed.text()).toBe('one two three');
});
