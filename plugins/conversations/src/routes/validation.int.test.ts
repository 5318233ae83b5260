import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, getJson, postJson, startApp, type TestApp } from '../testSupport.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

const post = (body: unknown) => postJson(app.kernel, '/api/conversations', body);
const get = (path: string) => getJson(app.kernel, path);
const invalid = (message: string) => ({ status: 400, json: { error: expect.objectContaining({ code: 'invalid_request', message }) } });

const BAD_DATE_TIME =
  'Invalid date-time: use an RFC 3339 date-time with an offset, such as 2025-01-31T12:00:00Z or 2025-01-31T12:00:00+02:00';
const BAD_DATE =
  'Invalid date: use a date such as 2025-01-31 (UTC midnight) or an RFC 3339 date-time with an offset, such as 2025-01-31T12:00:00Z or 2025-01-31T12:00:00+02:00';

describe('dates', () => {
  it.each([
    ['year 0000', '0000-01-01T00:00:00Z', 'Out of range: must be from 2000-01-01T00:00:00Z to one day after now'],
    ['a time past year 9999 in UTC', '9999-12-31T23:59:59-14:00', 'Out of range: must be from 2000-01-01T00:00:00Z to one day after now'],
    ['before 2000', '1999-12-31T23:59:59Z', 'Out of range: must be from 2000-01-01T00:00:00Z to one day after now'],
    ['an impossible date', '2024-02-30T00:00:00Z', BAD_DATE_TIME],
    ['a time without offset', '2025-01-01T10:00:00', BAD_DATE_TIME],
    ['a plain date', '2025-01-01', BAD_DATE_TIME],
  ])('rejects a created_at of %s', async (_, createdAt, message) => {
    expect(await post(exchange({ user_id: 7301, created_at: createdAt }))).toEqual(invalid(`body.created_at: ${message}`));
  });

  it.each([
    ['from=2024-02-30', `query.from: ${BAD_DATE}`],
    ['from=2024-02-01T10:00:00', `query.from: ${BAD_DATE}`],
    ['from=0000-01-01&to=0000-02-01', 'query.from: Out of range: must be from 1970-01-01 to 9999-12-31; query.to: Out of range: must be from 1970-01-01 to 9999-12-31'],
  ])('rejects analytics %s', async (query, message) => {
    expect(await get(`/api/analytics/daily?${query}`)).toEqual(invalid(message));
  });

  it('pages over rows stored by other means with years before 1 AD or after 9999', async () => {
    expect((await post(exchange({ user_id: 7304 }))).status).toBe(201);
    await app.db.sequelize.query(
      `INSERT INTO conversations (id, user_id, ai_model, user_message, prompt_tokens, completion_tokens, total_tokens, status, created_at)
       SELECT gen_random_uuid(), 7304, 'm', 'x', 1, 1, 2, 'completed', t::timestamptz
       FROM unnest(ARRAY['10000-01-01 00:00:00+00', '0001-06-01 00:00:00+00 BC', '2020-01-01 00:00:00+00']) AS t`,
    );
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const res = await get(`/api/users/7304/conversations?limit=1${next === null ? '' : `&before=${next}`}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.data.map((c: { id: string }) => c.id));
      next = res.json.next;
    } while (next !== null && seen.length < 10);
    expect(seen).toHaveLength(4);
  });
});

describe('query parameters', () => {
  it.each([
    ['/api/conversations?status=failed&min_processing_ms=5000', "query: Unknown parameter 'min_processing_ms': the accepted ones are status, minProcessingMs, limit, before"],
    ['/api/users?sort=last_activity&cursor=abc&page=2', "query: Unknown parameters 'cursor', 'page': the accepted ones are premium, sort, blocked, limit, before, after"],
    ['/api/users/7301/conversations?after=abc', "query: Unknown parameter 'after': the accepted ones are limit, before"],
    ['/api/analytics/daily?from=2024-01-01&model=m', "query: Unknown parameter 'model': the accepted ones are from, to"],
    ['/api/analytics/models?since=2024-01-01', "query: Unknown parameter 'since': the accepted ones are from, to, model"],
  ])('refuses an unknown parameter: %s', async (path, message) => {
    expect(await get(path)).toEqual(invalid(message));
  });

  it.each([
    ['sort=last_activity&after=abc', "query.after: sort=last_activity pages with before: pass the previous page's 'next' as before"],
    ['premium=active&before=abc', "query.before: premium=active pages with after: pass the previous page's 'next' as after"],
    ['blocked=true&before=abc', "query.before: blocked=true pages with after: pass the previous page's 'next' as after"],
  ])('refuses a cursor passed the wrong way: %s', async (query, message) => {
    expect(await get(`/api/users?${query}`)).toEqual(invalid(message));
  });
});

describe('text', () => {
  it.each(['user_message', 'ai_response', 'username', 'ai_model'])('refuses a NUL character in %s', async (field) => {
    expect(await post([exchange({ user_id: 7305, [field]: 'a\u0000b' })])).toEqual(
      invalid(`body[0].${field}: Invalid text: must not contain the NUL character (\\u0000)`),
    );
  });

  it('refuses a NUL character in the analytics model', async () => {
    expect(await get('/api/analytics/models?model=a%00b')).toEqual(
      invalid('query.model: Invalid text: must not contain the NUL character (\\u0000)'),
    );
  });
});

/** A POST's status and body, with the request id its answer's header carries. */
async function postWithId(body: unknown): Promise<{ status: number; json: unknown; requestId: string | null }> {
  const res = await app.kernel.fetch('/api/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), requestId: res.headers.get('x-request-id') };
}

describe('total_tokens', () => {
  it('accepts the total an OpenAI-style usage object carries when it is the sum', async () => {
    const one = exchange({ user_id: 7306, prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
    expect(await post(one)).toEqual({ status: 201, json: { data: { id: one.id, user_id: 7306, created: true, user_created: true } } });
    expect((await get('/api/users/7306/conversations')).json.data).toEqual([expect.objectContaining({ id: one.id, total_tokens: 30 })]);
  });

  it('accepts an exchange without it', async () => {
    const one = exchange({ user_id: 7307, prompt_tokens: 10, completion_tokens: 20 });
    expect(await post(one)).toEqual({ status: 201, json: { data: { id: one.id, user_id: 7307, created: true, user_created: true } } });
  });

  it('refuses a total that is not the sum, saying what it should be', async () => {
    const message = 'body[1].total_tokens: Invalid total: must equal prompt_tokens + completion_tokens, which is 30 (got 31); or leave it out';
    const res = await postWithId([exchange({ user_id: 7308 }), exchange({ user_id: 7308, prompt_tokens: 10, completion_tokens: 20, total_tokens: 31 })]);
    expect(res).toEqual({
      status: 400,
      json: {
        error: {
          code: 'invalid_request',
          message,
          requestId: res.requestId,
          details: { issues: [{ field: 'body[1].total_tokens', message: message.slice('body[1].total_tokens: '.length) }] },
        },
      },
      requestId: expect.any(String),
    });
    expect((await get('/api/users/7308')).status).toBe(404);
  });
});

/** A GET's status and body, with the request id its answer's header carries. */
async function getWithId(path: string): Promise<{ status: number; json: unknown; requestId: string | null }> {
  const res = await app.kernel.fetch(path);
  return { status: res.status, json: await res.json(), requestId: res.headers.get('x-request-id') };
}

/** The exact 400 of a request whose only bad field is `field`. */
function exactInvalid(res: { requestId: string | null }, field: string, message: string) {
  return {
    status: 400,
    json: { error: { code: 'invalid_request', message: `${field}: ${message}`, requestId: res.requestId, details: { issues: [{ field, message }] } } },
    requestId: expect.any(String),
  };
}

describe('path ids', () => {
  beforeAll(async () => {
    // Users 1, 10 and 16 exist, so an id read as one of them would answer 200.
    for (const user_id of [1, 10, 16]) expect((await post(exchange({ user_id }))).status).toBe(201);
  });

  const forms = [
    ['in hexadecimal', '0x10'],
    ['in binary', '0b1'],
    ['with a plus sign', '+1'],
    ['with spaces around', '%201%20'],
    ['with an exponent', '1e1'],
    ['with a decimal point', '1.0'],
  ];
  for (const suffix of ['', '/conversations', '/tokens']) {
    it.each(forms)(`refuses a user id written %s on /api/users/:id${suffix}`, async (_what, id) => {
      const res = await getWithId(`/api/users/${id}${suffix}`);
      expect(res).toEqual(exactInvalid(res, 'params.id', 'Invalid id: use decimal digits only, such as 42'));
    });
  }

  it('still serves an id in decimal digits', async () => {
    expect(await get('/api/users/16/tokens')).toEqual({ status: 200, json: { data: { user_id: 16, conversations: 1, total_tokens: 30 } } });
  });
});

describe('lone surrogates', () => {
  const SURROGATE = 'Invalid text: must not contain a lone surrogate (\\ud800 to \\udfff without its pair): send valid Unicode';
  const cases = ['user_message', 'ai_response', 'username'].flatMap((field) => [
    [field, 'a lone high surrogate', 'a\ud800b'],
    [field, 'a lone low surrogate', 'a\udc00b'],
    [field, 'a pair in the wrong order', '\udc00\ud800'],
  ]);
  it.each(cases)('refuses in %s %s', async (field, _what, value) => {
    const res = await postWithId([exchange({ user_id: 7309, [field!]: value })]);
    expect(res).toEqual(exactInvalid(res, `body[0].${field}`, SURROGATE));
    expect((await get('/api/users/7309')).status).toBe(404);
  });

  it('stores a surrogate pair (an emoji) as sent', async () => {
    const one = exchange({ user_id: 7310, username: 'ada \ud83d\ude00', user_message: '\ud83d\ude00', ai_response: 'x\ud83d\ude00y' });
    expect((await post(one)).status).toBe(201);
    expect((await get('/api/users/7310')).json.data).toMatchObject({ username: 'ada 😀' });
    expect((await get('/api/users/7310/conversations')).json.data).toEqual([
      expect.objectContaining({ user_message: '😀', ai_response: 'x😀y' }),
    ]);
  });
});
