/**
 * A tiny reverse proxy for the tests: serves an upstream app under `/prefix/`, as nginx's
 * `location /prefix/ { proxy_pass http://app/; }` does, streaming answers (server-sent events) as
 * they come. Anything outside the prefix is 404, so a page that used an absolute path would break.
 */
import { createServer, request, type Server } from 'node:http';

export interface Proxy {
  url: string;
  /** Paths asked for outside the prefix. */
  strays: string[];
  close(): Promise<void>;
}

export async function startProxy(upstream: string, prefix: string): Promise<Proxy> {
  const target = new URL(upstream);
  const strays: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith(`${prefix}/`)) {
      strays.push(path);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not under ${prefix}/`);
      return;
    }
    const upstreamReq = request(
      { host: target.hostname, port: target.port, method: req.method, path: path.slice(prefix.length), headers: { ...req.headers, host: target.host } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('upstream down');
      else res.destroy();
    });
    res.on('close', () => upstreamReq.destroy());
    req.pipe(upstreamReq);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    strays,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
