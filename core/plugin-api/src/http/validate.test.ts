import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './ApiError.js';
import { fieldPath, parseJsonBody, parseParams, parseQuery } from './validate.js';

const item = z.object({ id: z.uuid(), prompt_tokens: z.number().int().min(0) });

function app(): Hono {
  const a = new Hono();
  a.post('/items', async (c) => c.json(await parseJsonBody(c, z.array(item).max(2))));
  a.get('/items/:id', (c) => {
    const { id } = parseParams(c, z.object({ id: z.coerce.number().int().positive() }));
    const { limit } = parseQuery(c, z.object({ limit: z.coerce.number().int().max(50).default(10) }));
    return c.json({ id, limit });
  });
  a.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
    throw err;
  });
  return a;
}

async function post(body: string | Uint8Array, contentType?: string): Promise<{ status: number; json: any }> {
  const res = await app().request('/items', {
    method: 'POST',
    body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
  return { status: res.status, json: await res.json() };
}

const ID = '0b5e4c3a-1d2f-4a6b-8c9d-0e1f2a3b4c5d';

describe('parseJsonBody', () => {
  it('returns the parsed body when it matches', async () => {
    const res = await post(JSON.stringify([{ id: ID, prompt_tokens: 3 }]), 'application/json; charset=utf-8');
    expect(res).toEqual({ status: 200, json: [{ id: ID, prompt_tokens: 3 }] });
  });

  it('names every bad field in one message', async () => {
    const res = await post(JSON.stringify([{ id: ID, prompt_tokens: -1 }, { id: 'nope' }]), 'application/json');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    expect(res.json.error.message).toBe(
      'body[0].prompt_tokens: Too small: expected number to be >=0; body[1].id: Invalid UUID; ' +
        'body[1].prompt_tokens: Invalid input: expected number, received undefined',
    );
    expect(res.json.error.details.issues).toHaveLength(3);
  });

  it('reports an oversized array on the body itself', async () => {
    const three = JSON.stringify([1, 2, 3].map(() => ({ id: ID, prompt_tokens: 0 })));
    const res = await post(three, 'application/json');
    expect(res.json.error.message).toBe('body: Too big: expected array to have <=2 items');
  });

  it('answers 415 for a body that is not JSON by content type', async () => {
    expect(await post('a=1', 'application/x-www-form-urlencoded')).toEqual({
      status: 415,
      json: {
        error: {
          code: 'unsupported_media_type',
          message: "The request body must be JSON: send 'content-type: application/json' (got 'application/x-www-form-urlencoded').",
        },
      },
    });
    const none = await post(new TextEncoder().encode('[]')); // a byte body gets no default content type
    expect(none.json.error.message).toBe(
      "The request body must be JSON: send 'content-type: application/json' (got no content type).",
    );
  });

  it('answers 400 malformed_json for a body that does not parse', async () => {
    const res = await post('[{"id": ', 'application/json');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('malformed_json');
    expect(res.json.error.message).toMatch(/^The request body is not valid JSON: .+\.$/);
  });
});

describe('parseParams and parseQuery', () => {
  it('coerce and default', async () => {
    const res = await app().request('/items/42');
    expect(await res.json()).toEqual({ id: 42, limit: 10 });
  });

  it('prefix the field with params or query', async () => {
    const bad = await app().request('/items/-4');
    expect(((await bad.json()) as any).error.message).toBe('params.id: Too small: expected number to be >0');
    const big = await app().request('/items/4?limit=51');
    expect(((await big.json()) as any).error.message).toBe('query.limit: Too big: expected number to be <=50');
  });
});

describe('fieldPath', () => {
  it('quotes keys that are not identifiers', () => {
    expect(fieldPath('body', ['a', 0, 'b-c'])).toBe('body.a[0]["b-c"]');
    expect(fieldPath('query', [])).toBe('query');
  });
});
