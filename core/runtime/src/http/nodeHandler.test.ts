import { afterEach, describe, expect, it } from 'vitest';
import { nodeHandler } from '@plugboard/plugin-api';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 1000 });
  host = undefined;
});

describe('nodeHandler', () => {
  it('serves a Node-style handler mounted in a plugin app, with the request id', async () => {
    const kernel = fakeKernel();
    kernel.routesList = [
      pluginApp('metrics', (app) =>
        app.get(
          '/metrics',
          nodeHandler((req, res) => {
            // Answers later, as the Prometheus exporter does after collecting.
            setImmediate(() => {
              res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
              res.end(`# seen ${req.method} ${req.url}\n`);
            });
          }),
        ),
      ),
    ];
    host = await startTestHost({ kernel });
    const res = await fetch(host.url('/metrics?x=1'), { headers: { 'x-request-id': 'm1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(res.headers.get('x-request-id')).toBe('m1');
    expect(await res.text()).toBe('# seen GET /metrics?x=1\n');
    // The route resolved only once Node's response finished, so the access log has the real status.
    expect(host.records.find((r) => r.path === '/metrics')).toMatchObject({ status: 200, requestId: 'm1' });
  });

  it('logs the status a Node-style handler wrote', async () => {
    const kernel = fakeKernel();
    kernel.routesList = [pluginApp('p', (app) => app.get('/teapot', nodeHandler((_req, res) => res.writeHead(418).end())))];
    host = await startTestHost({ kernel });
    expect((await fetch(host.url('/teapot'))).status).toBe(418);
    expect(host.records.find((r) => r.path === '/teapot')).toMatchObject({ status: 418 });
  });

  it('answers JSON when the handler throws before writing', async () => {
    const kernel = fakeKernel();
    kernel.routesList = [
      pluginApp('p', (app) =>
        app.get(
          '/fails',
          nodeHandler(() => {
            throw new Error('collector down');
          }),
        ),
      ),
    ];
    host = await startTestHost({ kernel });
    const res = await fetch(host.url('/fails'), { headers: { 'x-request-id': 'm2' } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'Internal server error (request id m2).', requestId: 'm2' } });
  });

  it('cuts the answer short when the handler throws after writing headers, and keeps serving', async () => {
    const kernel = fakeKernel();
    kernel.routesList = [
      pluginApp('p', (app) =>
        app.get(
          '/half',
          nodeHandler((_req, res) => {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('partial');
            throw new Error('collector died midway');
          }),
        ),
      ),
    ];
    host = await startTestHost({ kernel });
    const res = await fetch(host.url('/half'));
    await expect(res.text()).rejects.toThrow();
    expect(host.records.find((r) => r.level === 50)?.msg).toBe('Request failed after its answer began: collector died midway');
    expect((await fetch(host.url('/healthz'))).status).toBe(200);
  });
});
