import { afterAll, beforeAll, expect, it } from 'vitest';
import { exchange, getJson, postJson, startApp, type TestApp } from '../testSupport.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

/** Follows `next` from the first page to the last, returning every page's ids. */
async function pages(path: string): Promise<string[][]> {
  const out: string[][] = [];
  let next: string | null = null;
  do {
    const url: string = next === null ? path : `${path}&before=${next}`;
    const res = await getJson(app.kernel, url);
    expect(res.status).toBe(200);
    out.push(res.json.data.map((c: { id: string }) => c.id));
    next = res.json.next;
  } while (next !== null && out.length < 20);
  return out;
}

/** Slowest first, unknown times first, ties by id descending: the documented order. */
const byListOrder = (a: { t: number | null; id: string }, b: { t: number | null; id: string }) =>
  (a.t === null ? Infinity : a.t) === (b.t === null ? Infinity : b.t) ? (a.id < b.id ? 1 : -1) : (b.t ?? Infinity) - (a.t ?? Infinity);

it('lists pending conversations, which have no processing time', async () => {
  const body = [
    exchange({ user_id: 7201, status: 'pending', processing_time_ms: null }),
    exchange({ user_id: 7201, status: 'pending', processing_time_ms: null }),
    exchange({ user_id: 7201, status: 'processing', processing_time_ms: null }),
  ];
  expect((await postJson(app.kernel, '/api/conversations', body)).status).toBe(201);
  const pending = await getJson(app.kernel, '/api/conversations?status=pending');
  expect(pending).toMatchObject({ status: 200, json: { next: null } });
  expect(pending.json.data.map((c: { id: string }) => c.id)).toEqual([body[0]!.id, body[1]!.id].sort().reverse());
  expect(pending.json.data[0]).toMatchObject({ status: 'pending', processing_time_ms: null });
  expect((await getJson(app.kernel, '/api/conversations?status=processing')).json.data).toHaveLength(1);
});

it('pages rows with and without a processing time, ties included, without gaps or duplicates', async () => {
  const times = [null, 300, null, 500, 300, null, 100, 300, 0];
  const body = times.map((t) => exchange({ user_id: 7202, status: 'completed', processing_time_ms: t }));
  expect((await postJson(app.kernel, '/api/conversations', body)).status).toBe(201);
  const expected = body.map((e, i) => ({ id: String(e.id), t: times[i]! })).sort(byListOrder);

  const all = await pages('/api/conversations?status=completed&limit=2');
  expect(all.map((p) => p.length)).toEqual([2, 2, 2, 2, 1]);
  expect(all.flat()).toEqual(expected.map((e) => e.id));
  expect(await pages('/api/conversations?status=completed&minProcessingMs=0&limit=2')).toEqual(all);

  // A positive minimum drops the rows whose time is unknown.
  const slow = await pages('/api/conversations?status=completed&minProcessingMs=300&limit=2');
  expect(slow.flat()).toEqual(expected.filter((e) => e.t !== null && e.t >= 300).map((e) => e.id));
  expect(slow.flat()).toHaveLength(4);
});
