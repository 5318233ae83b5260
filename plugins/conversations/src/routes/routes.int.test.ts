import { coreServices } from '@plugboard/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, getJson, postJson, startApp, type TestApp } from '../testSupport.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ maxBatchSize: 3, maxPageSize: 50 });
});
afterAll(() => app?.close());

const post = (body: unknown) => postJson(app.kernel, '/api/conversations', body);
const get = (path: string) => getJson(app.kernel, path);
const error = (code: string, message: string) => ({ error: expect.objectContaining({ code, message }) });

describe('POST /api/conversations', () => {
  it('stores one exchange with 201, and answers a retry with 200 and created false', async () => {
    const one = exchange({ user_id: 7001 });
    expect(await post(one)).toEqual({ status: 201, json: { data: { id: one.id, user_id: 7001, created: true, user_created: true } } });
    expect(await post(one)).toEqual({ status: 200, json: { data: { id: one.id, user_id: 7001, created: false, user_created: false } } });
    const user = await get('/api/users/7001');
    expect(user.json.data).toMatchObject({ id: 7001, username: 'ada', message_count: 1, tokens_used: 30 });
  });

  it('stores an array and answers per item', async () => {
    const items = [exchange({ user_id: 7002 }), exchange({ user_id: 7002, status: 'failed', completion_tokens: 0 })];
    const res = await post(items);
    expect(res.status).toBe(201);
    expect(res.json.data.map((r: { created: boolean }) => r.created)).toEqual([true, true]);
    expect((await get('/api/users/7002/tokens')).json).toEqual({ data: { user_id: 7002, conversations: 2, total_tokens: 40 } });
  });

  it.each([
    ['a bad uuid', exchange({ id: 'not-a-uuid' }), 'body.id: Invalid UUID'],
    ['negative tokens', [exchange({ prompt_tokens: -1 })], 'body[0].prompt_tokens: Too small: expected number to be >=0'],
    ['a missing field', { ...exchange(), user_message: undefined }, 'body.user_message: Invalid input: expected string, received undefined'],
    ['an unknown field', exchange({ tokens: 3 }), 'body: Unrecognized key: "tokens"'],
    ['a bad status', exchange({ status: 'done' }), 'body.status: Invalid option: expected one of "pending"|"processing"|"completed"|"failed"'],
    ['a bad user id', exchange({ user_id: 0 }), 'body.user_id: Too small: expected number to be >0'],
    ['an oversized array', [1, 2, 3, 4].map(() => exchange()), 'body: Too big: expected array to have <=3 items'],
    ['an empty array', [], 'body: Too small: expected array to have >=1 items'],
  ])('answers 400 naming the field for %s', async (_what, body, message) => {
    expect(await post(body)).toEqual({ status: 400, json: error('invalid_request', message) });
  });

  it('names every bad field of every item', async () => {
    const res = await post([exchange(), exchange({ completion_tokens: -2, ai_model: '' })]);
    expect(res.json.error.message).toBe(
      'body[1].ai_model: Too small: expected string to have >=1 characters; body[1].completion_tokens: Too small: expected number to be >=0',
    );
  });

  it('answers 415 for a body that is not JSON and 400 for malformed JSON', async () => {
    const form = await app.kernel.fetch('/api/conversations', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    const bad = await app.kernel.fetch('/api/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
  });

  it('answers 403 for a blocked user', async () => {
    await post(exchange({ user_id: 7003 }));
    await app.db.sequelize.query('UPDATE users SET is_blocked = true WHERE id = 7003');
    expect(await post(exchange({ user_id: 7003 }))).toEqual({
      status: 403,
      json: error('user_blocked', "User '7003' is blocked: unblock the user before recording their conversations."),
    });
  });
});

describe('GET /api/users/:id and its conversations', () => {
  it('answers 404 for an unknown user on every user route', async () => {
    for (const path of ['/api/users/7999', '/api/users/7999/conversations', '/api/users/7999/tokens']) {
      expect(await get(path)).toEqual({ status: 404, json: error('user_not_found', "User '7999' does not exist: check the id.") });
    }
  });

  it('answers 400 for an id that is not a user id', async () => {
    expect(await get('/api/users/abc')).toEqual({
      status: 400,
      json: error('invalid_request', 'params.id: Invalid id: use decimal digits only, such as 42'),
    });
  });

  it('pages conversations with limit and before', async () => {
    const at = (s: number) => new Date(Date.UTC(2025, 1, 1, 0, 0, s)).toISOString();
    const items = [1, 2, 3].map((s) => exchange({ user_id: 7004, created_at: at(s) }));
    await post(items);
    const first = await get('/api/users/7004/conversations?limit=2');
    expect(first.json.data.map((c: { created_at: string }) => c.created_at)).toEqual([at(3), at(2)]);
    expect(first.json.data[0]).toMatchObject({ user_id: 7004, ai_model: 'gpt-4o', total_tokens: 30, status: 'completed' });
    const second = await get(`/api/users/7004/conversations?limit=2&before=${first.json.next}`);
    expect(second.json).toEqual({ data: [expect.objectContaining({ created_at: at(1) })], next: null });
  });

  it('rejects a limit over the maximum and a cursor it did not make', async () => {
    await post(exchange({ user_id: 7005 }));
    expect((await get('/api/users/7005/conversations?limit=51')).json).toEqual(
      error('invalid_request', 'query.limit: Too big: expected number to be <=50'),
    );
    expect((await get('/api/users/7005/conversations?before=abc')).json).toEqual(
      error('invalid_request', "query.before: Invalid cursor: pass the 'next' value of the previous page unchanged"),
    );
  });
});

describe('GET /api/users lists', () => {
  beforeAll(async () => {
    await app.db.sequelize.query(`INSERT INTO users (id, is_premium, premium_until, is_blocked, last_activity_at) VALUES
      (8001, true, now() + interval '1 day', false, now() + interval '1 hour'),
      (8002, false, NULL, true, now() + interval '2 hours')`);
  });

  it('serves premium=active, sort=last_activity and blocked=true', async () => {
    expect((await get('/api/users?premium=active')).json.data).toEqual([{ id: 8001, premium_until: expect.any(String) }]);
    expect((await get('/api/users?sort=last_activity&limit=2')).json.data.map((u: { id: number }) => u.id)).toEqual([8002, 8001]);
    const blocked = await get('/api/users?blocked=true');
    expect(blocked.json.data.map((u: { id: number }) => u.id)).toContain(8002);
  });

  it('needs exactly one selector', async () => {
    const message = 'query: pass exactly one of premium=active, sort=last_activity or blocked=true';
    expect(await get('/api/users')).toEqual({ status: 400, json: error('invalid_request', message) });
    expect(await get('/api/users?premium=active&blocked=true')).toEqual({ status: 400, json: error('invalid_request', message) });
    expect((await get('/api/users?premium=yes')).json).toEqual(
      error('invalid_request', 'query.premium: Invalid input: expected "active"'),
    );
  });
});

describe('analytics and status lists', () => {
  beforeAll(async () => {
    await post([
      exchange({ user_id: 7100, ai_model: 'm1', created_at: '2024-02-01T10:00:00Z', status: 'failed', processing_time_ms: 40_000 }),
      exchange({ user_id: 7100, ai_model: 'm2', created_at: '2024-02-02T10:00:00Z', status: 'failed', processing_time_ms: 50 }),
    ]);
  });

  it('GET /api/analytics/models and /daily', async () => {
    const range = 'from=2024-02-01&to=2024-02-03';
    expect((await get(`/api/analytics/models?${range}`)).json).toEqual({
      data: [
        { ai_model: 'm1', conversations: 1, total_tokens: 30 },
        { ai_model: 'm2', conversations: 1, total_tokens: 30 },
      ],
    });
    expect((await get(`/api/analytics/models?${range}&model=m2`)).json.data).toEqual([{ ai_model: 'm2', conversations: 1, total_tokens: 30 }]);
    expect((await get(`/api/analytics/daily?${range}`)).json.data).toEqual([
      { day: '2024-02-01', conversations: 1, total_tokens: 30 },
      { day: '2024-02-02', conversations: 1, total_tokens: 30 },
    ]);
  });

  it('rejects bad ranges', async () => {
    expect((await get('/api/analytics/daily?from=yesterday')).json).toEqual(
      error('invalid_request', 'query.from: Invalid date: use a date such as 2025-01-31 (UTC midnight) or an RFC 3339 date-time with an offset, such as 2025-01-31T12:00:00Z or 2025-01-31T12:00:00+02:00'),
    );
    expect((await get('/api/analytics/models?from=2024-02-03&to=2024-02-01')).json).toEqual(
      error('invalid_request', 'query.from: must be before query.to'),
    );
    expect((await get('/api/analytics/models?from=2020-01-01&to=2024-01-01')).json).toEqual(
      error('invalid_request', 'query.from: the range from..to must be at most 400 days'),
    );
  });

  it('GET /api/conversations?status&minProcessingMs', async () => {
    const slow = await get('/api/conversations?status=failed&minProcessingMs=30000');
    expect(slow.json.data.map((c: { processing_time_ms: number }) => c.processing_time_ms)).toContain(40_000);
    expect(slow.json.data.every((c: { processing_time_ms: number; status: string }) => c.status === 'failed' && c.processing_time_ms >= 30000)).toBe(true);
    expect((await get('/api/conversations?status=done')).json).toEqual(
      error('invalid_request', 'query.status: Invalid option: expected one of "pending"|"processing"|"completed"|"failed"'),
    );
    expect((await get('/api/conversations')).json).toEqual(
      error('invalid_request', 'query.status: Required: give one of "pending"|"processing"|"completed"|"failed"'),
    );
  });

  it('schedules the purge-user-cache task', () => {
    const tasks = app.kernel.get(coreServices.runtime).tasks();
    expect(tasks.find((t) => t.id === 'conversations.purge-user-cache')).toMatchObject({ everyMs: 60_000 });
  });

  it('GET /api/cache/users', async () => {
    const stats = await get('/api/cache/users');
    expect(stats.json.data).toMatchObject({ max: 10_000, ttl_ms: 300_000, hits: expect.any(Number), misses: expect.any(Number) });
  });
});
