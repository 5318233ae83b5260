import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, postJson, startApp, type TestApp } from '../testSupport.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  expect((await postJson(app.kernel, '/api/conversations', exchange({ user_id: 1 }))).status).toBe(201);
});
afterAll(() => app?.close());

/** The status and body of a GET, with the request id the answer's header carries. */
async function get(path: string): Promise<{ status: number; json: unknown; requestId: string | null }> {
  const res = await app.kernel.fetch(path);
  return { status: res.status, json: await res.json(), requestId: res.headers.get('x-request-id') };
}

/** A cursor as cursor.ts encodes one: base64url JSON `[key, id]`. */
const cursor = (key: unknown, id: unknown) => Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url');

const IMPOSSIBLE = [
  ['month 13', '2025-13-01 00:00:00+00'],
  ['hour 99', '2025-01-01 99:00:00+00'],
  ['year 0000', '0000-01-01 00:00:00+00'],
  ['year 99999999', '99999999-01-01 00:00:00+00'],
  ['30 February', '2024-02-30 00:00:00+00'],
  ['offset +99', '2025-01-01 00:00:00+99'],
] as const;

const ROUTES = [
  ['/api/users/1/conversations?before=', 'before', randomUUID()],
  ['/api/users?premium=active&after=', 'after', 1],
  ['/api/users?sort=last_activity&before=', 'before', 1],
] as const;

describe('cursors holding impossible dates', () => {
  for (const [route, parameter, id] of ROUTES) {
    it.each(IMPOSSIBLE)(`answer 400 naming the parameter on ${route}...: %s`, async (_what, key) => {
      const res = await get(`${route}${cursor(key, id)}`);
      expect(res).toEqual({
        status: 400,
        json: {
          error: {
            code: 'invalid_request',
            message: `query.${parameter}: Invalid cursor: pass the 'next' value of the previous page unchanged`,
            requestId: res.requestId,
          },
        },
        requestId: expect.any(String),
      });
    });
  }
});
