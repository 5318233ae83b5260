import { connect } from 'node:net';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, test } from 'vitest';
import { installMeterProvider, parseJsonBody } from '@plugboard/plugin-api';
import { z } from 'zod';
import { TestMetricReader } from '../telemetry/__fixtures__/TestMetricReader.js';
import { fakeKernel, pluginApp, startTestHost, type TestHost } from './testHarness.js';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.server.close({ graceMs: 100 });
  host = undefined;
  installMeterProvider(undefined);
});

/** Sends the headers and half the body of a POST, waits until the route began reading it, then drops the connection. */
async function abandon(port: number, arrived: Promise<void>): Promise<void> {
  const body = JSON.stringify({ name: 'x'.repeat(200) });
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /api/things HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, body.length / 2)}`,
  );
  await arrived;
  socket.destroy();
}

test('a client that goes away mid-body is logged at debug and counted, not an error, and the server keeps serving', async () => {
  const reader = new TestMetricReader();
  installMeterProvider(new MeterProvider({ readers: [reader] }));
  const kernel = fakeKernel();
  const arrivals: (() => void)[] = [];
  let handled = 0;
  kernel.routesList.push(
    pluginApp('things', (app) => {
      app.post('/api/things', async (c) => {
        arrivals.shift()?.();
        const body = await parseJsonBody(c, z.object({ name: z.string() }));
        handled += 1;
        return c.json({ created: body.name.length }, 201);
      });
    }),
  );
  host = await startTestHost({ kernel, bodyLimit: 1024 * 1024 });

  const N = 20;
  await Promise.all(
    Array.from({ length: N }, () => abandon(host!.server.port, new Promise<void>((resolve) => arrivals.push(resolve)))),
  );
  // The aborts are handled once the server saw each connection close; a whole request after them proves the server serves.
  const ok = await fetch(host.url('/api/things'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ada"}' });
  expect({ status: ok.status, body: await ok.json() }).toEqual({ status: 201, body: { created: 3 } });

  let aborts = 0;
  for (let i = 0; i < 100 && aborts < N; i += 1) {
    const points = await reader.points();
    aborts = Number(points.find((p) => p.scope === 'plugboard.http' && p.name === 'plugboard.http.client_aborts')?.value ?? 0);
    if (aborts < N) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(aborts).toBe(N);
  const durations = (await reader.points()).filter((p) => p.name === 'http.server.request.duration');
  const byStatus = durations.map((p) => [p.attributes['http.response.status_code'], (p.value as { count: number }).count]);
  expect(byStatus.sort()).toEqual([
    [201, 1],
    [499, N],
  ]);
  expect(handled).toBe(1);
  const debugLines = host.records.filter((r) => r.msg === 'The client of POST /api/things went away before its answer.');
  expect(debugLines).toHaveLength(N);
  expect(debugLines.every((r) => r.level === 20)).toBe(true);
  expect(host.records.filter((r) => r.level >= 40)).toEqual([]);
});
