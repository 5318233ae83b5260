import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationWriterRef, type ConversationWriter } from '../refs.js';
import { exchange, startApp, type TestApp } from '../testSupport.js';

// Each domain error kind, answered over HTTP through routes/domainErrors.ts: exact bodies.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

async function request(path: string, body?: unknown): Promise<{ status: number; json: unknown; requestId: string | null }> {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await app.kernel.fetch(path, init);
  return { status: res.status, json: await res.json(), requestId: res.headers.get('x-request-id') };
}

const answer = (res: { requestId: string | null }, status: number, code: string, message: string) => ({
  status,
  json: { error: { code, message, requestId: res.requestId } },
  requestId: expect.any(String),
});

it('answers userNotFound with 404 user_not_found', async () => {
  for (const path of ['/api/users/9201', '/api/users/9201/conversations', '/api/users/9201/tokens']) {
    const res = await request(path);
    expect(res).toEqual(answer(res, 404, 'user_not_found', "User '9201' does not exist: check the id."));
  }
});

it('answers userBlocked with 403 user_blocked', async () => {
  await app.db.sequelize.query('INSERT INTO users (id, is_blocked) VALUES (9202, true)');
  const res = await request('/api/conversations', exchange({ user_id: 9202 }));
  expect(res).toEqual(answer(res, 403, 'user_blocked', "User '9202' is blocked: unblock the user before recording their conversations."));
});

it('answers invalidCursor with 400 invalid_request naming the query parameter', async () => {
  const res = await request('/api/users?blocked=true&after=abc');
  expect(res).toEqual(answer(res, 400, 'invalid_request', "query.after: Invalid cursor: pass the 'next' value of the previous page unchanged"));
  const byStatus = await request('/api/conversations?status=failed&before=abc');
  expect(byStatus).toEqual(
    answer(byStatus, 400, 'invalid_request', "query.before: Invalid cursor: pass the 'next' value of the previous page unchanged"),
  );
});

it('answers notStored with 503 not_stored', async () => {
  const failing: ConversationWriter = { write: () => Promise.reject(new Error('disk full')) };
  const registration = app.kernel.provide(conversationWriterRef, failing, { ranking: 10 });
  const one = exchange({ user_id: 9203 });
  try {
    const res = await request('/api/conversations', one);
    expect(res).toEqual(
      answer(
        res,
        503,
        'not_stored',
        `Conversations '${String(one.id)}' were not stored: retry the request with the same ids (conversations already stored are neither stored nor counted twice).`,
      ),
    );
  } finally {
    await registration.unregister();
  }
});
