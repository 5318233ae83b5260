/** A real HTTP server on a free port in front of a test kernel's HTTP stack (for Prometheus to scrape). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKernel } from '@plugboard/core/testing';

export async function serveKernel(kernel: TestKernel): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      kernel
        .fetch(req.url ?? '/', { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
        .then(async (r) => {
          res.writeHead(r.status, Object.fromEntries(r.headers));
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
