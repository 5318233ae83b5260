import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDuration } from '@plugboard/plugin-api';
import { serverConfigSchema } from '../config/schema.js';
import { SERVER_LIMIT_DEFAULTS, startHttpServer, type HttpServerOptions, type RunningServer } from './server.js';
import { memoryLogger } from './testHarness.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

async function serve(app: Hono, options: Partial<HttpServerOptions> = {}): Promise<RunningServer> {
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger: memoryLogger().logger, ...options });
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

/** A raw TCP connection that records what the server sends and when it closes the connection. */
interface RawClient {
  socket: Socket;
  received(): string;
  /** Resolves with everything received once the server has closed the connection. */
  closed: Promise<string>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<string>((done) => socket.once('close', () => done(data)));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    // A reset is how some refusals look; `closed` still resolves.
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Resolves once `client` has received a whole answer whose body ends with `end`. */
function answered(client: RawClient, end: string): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      if (client.received().endsWith(end)) {
        client.socket.off('data', check);
        resolve(client.received());
      }
    };
    client.socket.on('data', check);
    check();
  });
}

/** Splits a raw HTTP/1.1 answer into its status line, lower-cased headers and JSON body. */
function parseRaw(raw: string): { statusLine: string; headers: Record<string, string>; body: { error: { code: string; message: string; requestId: string } } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { statusLine, headers, body: JSON.parse(body) };
}

const hi = () =>
  new Hono()
    .get('/', (c) => c.text('hi'))
    // The body of a cut-off request never completes; catching that keeps hono from logging it.
    .post('/', async (c) => c.text(await c.req.text().catch(() => 'cut off')));

describe('startHttpServer limits', () => {
  it('cuts off a client that never finishes its headers, answering 408', async () => {
    const server = await serve(hi(), { headersTimeoutMs: 100, requestTimeoutMs: 5000 });
    const client = await rawClient(server.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const answer = parseRaw(await client.closed);
    expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.headers).toMatchObject({ connection: 'close', 'content-type': 'application/json' });
    expect(answer.body.error.code).toBe('request_timeout');
    expect(answer.body.error.message).toContain('server.headersTimeout');
  });

  it('cuts off a client that never finishes its body, answering 408', async () => {
    const server = await serve(hi(), { headersTimeoutMs: 100, requestTimeoutMs: 200 });
    const client = await rawClient(server.port);
    client.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc');
    const answer = parseRaw(await client.closed);
    expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.body.error.code).toBe('request_timeout');
  });

  it('answers bytes that are not HTTP with a JSON 400 and closes the connection', async () => {
    const server = await serve(hi());
    const client = await rawClient(server.port);
    client.socket.write('NOT HTTP AT ALL\r\n\r\n');
    const answer = parseRaw(await client.closed);
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.body.error).toMatchObject({ code: 'bad_request' });
    expect(typeof answer.body.error.requestId).toBe('string');
  });

  it('does not limit how long an answer takes, only receiving the request', async () => {
    const app = new Hono().get('/stream', () => {
      const encoder = new TextEncoder();
      let ticks = 0;
      // Five chunks 100 ms apart: the answer outlasts the 200 ms request timeout.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          controller.enqueue(encoder.encode(`tick ${++ticks};`));
          if (ticks === 5) controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    });
    const server = await serve(app, { headersTimeoutMs: 100, requestTimeoutMs: 200 });
    expect((await get(`${server.url}/stream`)).body).toBe('tick 1;tick 2;tick 3;tick 4;tick 5;');
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, announcing it', async () => {
    const server = await serve(hi(), { keepAliveTimeoutMs: 1000 });
    const client = await rawClient(server.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const answer = await answered(client, 'hi');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\n');
    // The server, not the client, ends the idle connection: nothing more arrives before it closes.
    expect(await client.closed).toBe(answer);
  });

  it('closes connections beyond maxConnections at once, and warns', async () => {
    const { logger, records } = memoryLogger();
    const server = await serve(hi(), { maxConnections: 2, logger });
    const held: RawClient[] = [];
    for (let i = 0; i < 2; i++) {
      const client = await rawClient(server.port);
      client.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await answered(client, 'hi');
      held.push(client);
    }
    const extra = await rawClient(server.port);
    extra.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await extra.closed).toBe('');
    expect(records.filter((r) => r.level === 40).map((r) => r.msg)).toEqual([
      "Refused 1 connection(s) (latest from '127.0.0.1'): the HTTP server already holds server.maxConnections (2) connections. Raise server.maxConnections, or lower server.keepAliveTimeout so idle connections close sooner.",
    ]);

    // Once a held connection closes, there is room again.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await expect.poll(async () => (await get(`${server.url}/`).catch(() => ({ body: 'refused' }))).body).toBe('hi');
    held[1]!.socket.destroy();
  });

  it('defaults to the limits of the config schema', () => {
    const server = serverConfigSchema.parse({});
    expect({
      headersTimeoutMs: parseDuration(server.headersTimeout, 'server.headersTimeout'),
      requestTimeoutMs: parseDuration(server.requestTimeout, 'server.requestTimeout'),
      keepAliveTimeoutMs: parseDuration(server.keepAliveTimeout, 'server.keepAliveTimeout'),
      maxConnections: server.maxConnections,
    }).toEqual(SERVER_LIMIT_DEFAULTS);
    expect(SERVER_LIMIT_DEFAULTS).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 });
  });
});

/** A request through `agent`, which reuses its idle keep-alive sockets; reports the socket it went on. */
function viaAgent(agent: Agent, url: string): { socket: Promise<Socket>; answer: Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> } {
  let gotSocket!: (socket: Socket) => void;
  const socket = new Promise<Socket>((resolve) => (gotSocket = resolve));
  const answer = new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('socket', (s) => gotSocket(s));
    req.on('error', reject);
    req.end();
  });
  return { socket, answer };
}

describe('startHttpServer shutdown with keep-alive clients', () => {
  it('answers the request in flight with Connection: close and closes the idle socket, so the next request reconnects', async () => {
    const entered = deferred();
    const release = deferred();
    const app = new Hono()
      .get('/', (c) => c.text('hi'))
      .get('/slow', async (c) => {
        entered.resolve();
        await release.promise;
        return c.text('done');
      });
    const server = await serve(app);
    const agent = new Agent({ keepAlive: true });
    try {
      // Two requests at once leave the agent two idle keep-alive sockets.
      const warm = [viaAgent(agent, `${server.url}/`), viaAgent(agent, `${server.url}/`)];
      const sockets = await Promise.all(warm.map((w) => w.socket));
      for (const w of warm) expect((await w.answer).body).toBe('hi');
      expect(sockets[0]).not.toBe(sockets[1]);

      const slow = viaAgent(agent, `${server.url}/slow`);
      const busy = await slow.socket;
      await entered.promise;
      const idle = sockets.find((s) => s !== busy)!;
      const idleClosed = new Promise<void>((resolve) => (idle.destroyed ? resolve() : idle.once('close', () => resolve())));

      const closing = server.close({ graceMs: 60_000 });
      await idleClosed;
      release.resolve();
      const answer = await slow.answer;
      expect(answer).toMatchObject({ status: 200, body: 'done' });
      expect(answer.headers.connection).toBe('close');

      // Sent after the answer: the agent has no reusable socket left, so it connects anew and is refused, not reset.
      await expect(viaAgent(agent, `${server.url}/`).answer).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await closing;
    } finally {
      agent.destroy();
    }
  });

  it('answers the next request on a connection whose streamed answer began before close(), instead of resetting it', async () => {
    const release = deferred();
    const app = new Hono()
      .get('/', (c) => c.text('hi'))
      .get('/stream', () => {
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode('first;'));
            await release.promise;
            controller.enqueue(encoder.encode('last'));
            controller.close();
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/plain' } });
      });
    const server = await serve(app);
    const client = await rawClient(server.port);
    client.socket.write('GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const head = await answered(client, 'first;\r\n');
    // Its headers went out before shutdown, so they could not say Connection: close.
    expect(head).toContain('\r\nConnection: keep-alive\r\n');
    const closing = server.close({ graceMs: 60_000 });
    release.resolve();
    await answered(client, '0\r\n\r\n');
    const before = client.received().length;
    // The client reuses the connection, as a keep-alive client may.
    client.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const second = (await client.closed).slice(before);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toContain('\r\nConnection: close\r\n');
    expect(second.endsWith('hi')).toBe(true);
    await closing;
  });
});
