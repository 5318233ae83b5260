import { request, type IncomingHttpHeaders } from 'node:http';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningServer } from './server.js';
import { memoryLogger } from './testHarness.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

async function serve(app: Hono): Promise<RunningServer> {
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger: memoryLogger().logger });
  servers.push(server);
  return server;
}

/** One request on its own connection (no agent), so the test controls connection reuse. */
function get(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('startHttpServer', () => {
  it('listens on a free port when given port 0 and reports it', async () => {
    const server = await serve(new Hono().get('/', (c) => c.text('hi')));
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await get(`${server.url}/`)).body).toBe('hi');
  });

  it('rejects a port in use with a sentence saying what to change', async () => {
    const first = await serve(new Hono());
    await expect(startHttpServer(new Hono(), { host: '127.0.0.1', port: first.port, logger: memoryLogger().logger })).rejects.toMatchObject({
      name: 'PlugboardError',
      kind: 'invalidState',
      message: `Cannot listen on 127.0.0.1:${first.port}: the port is in use. Set server.port in the config or pass --port.`,
    });
  });

  it('lets a request in flight finish on close, refusing new connections meanwhile', async () => {
    const entered = deferred();
    const release = deferred();
    const app = new Hono().get('/slow', async (c) => {
      entered.resolve();
      await release.promise;
      return c.text('done');
    });
    const server = await serve(app);
    const slow = get(`${server.url}/slow`);
    await entered.promise;

    let closed = false;
    const closing = server.close({ graceMs: 60_000 }).then(() => (closed = true));
    await expect(get(`${server.url}/slow`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toBe(false);

    release.resolve();
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('done');
    // Told to close its connection, so close() need not wait for keep-alive to time out.
    expect(answer.headers.connection).toBe('close');
    await closing;
    expect(closed).toBe(true);
  });

  it('closes idle keep-alive connections at once', async () => {
    const server = await serve(new Hono().get('/', (c) => c.text('hi')));
    // fetch keeps its connection open for reuse.
    expect(await (await fetch(`${server.url}/`)).text()).toBe('hi');
    await server.close({ graceMs: 60_000 });
  });

  it('destroys connections still busy when the grace period ends', async () => {
    const entered = deferred();
    const app = new Hono().get('/hang', async () => {
      entered.resolve();
      return new Promise<Response>(() => {});
    });
    const { logger, records } = memoryLogger();
    const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger });
    const hanging = get(`${server.url}/hang`);
    await entered.promise;
    await server.close({ graceMs: 10 });
    await expect(hanging).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(records.map((r) => r.msg)).toContain('1 request(s) still running 10 ms after the HTTP server began closing; closing their connections.');
  });

  it('returns the same promise when close is called twice', async () => {
    const server = await serve(new Hono());
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });
});
