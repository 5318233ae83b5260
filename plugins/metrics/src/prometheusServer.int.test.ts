import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prometheusNameOf } from './prometheus/prometheusName.js';
import { startApp, type TestApp } from './testSupport.js';

let app: TestApp;
let prometheus: ChildProcess;
let dir: string;
let promUrl: string;
let output = '';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  app = await startApp({ system: { enabled: false } });
  dir = await mkdtemp(join(tmpdir(), 'plugboard-prometheus-'));
  const target = new URL(app.url).host;
  await writeFile(
    join(dir, 'prometheus.yml'),
    ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: plugboard', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn('/usr/bin/prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  prometheus.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  prometheus.stderr!.on('data', (c: Buffer) => (output += c.toString()));
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    prometheus.kill('SIGTERM');
    await once(prometheus, 'exit');
  }
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Asks Prometheus `query` until it answers a non-empty vector (Prometheus scrapes every second). */
async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status === 'success' && body.data.result.length > 0) return body.data.result;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Prometheus never answered '${promql}' with a series. Its output:\n${output}`);
}

it('a real Prometheus scrapes /metrics on the app port and answers PromQL over the app series', async () => {
  for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/api/users/31337`)).status).toBe(404);
  const name = prometheusNameOf('http.server.request.duration', 's', 'histogram');
  const [series] = await query(`sum by (http_route, plugboard_plugin) (${name}_count{http_route="/api/users/:id"})`);
  expect(series!.metric).toEqual({ http_route: '/api/users/:id', plugboard_plugin: 'conversations' });
  expect(Number(series!.value[1])).toBeGreaterThanOrEqual(3);

  const [up] = await query('up{job="plugboard"}');
  expect(up!.value[1]).toBe('1');
  const [target] = await query('target_info{job="plugboard"}');
  expect(target!.metric['service_name']).toBe('plugboard');
  const [quantile] = await query(`histogram_quantile(0.95, sum by (le) (${name}_bucket{http_route="/api/users/:id"}))`);
  expect(Number(quantile!.value[1])).toBeGreaterThan(0);
});
