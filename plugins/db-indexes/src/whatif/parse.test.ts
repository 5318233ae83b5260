import { describe, expect, it } from 'vitest';
import { parseCreateIndex, renderCreateIndex, WhatIfInputError } from './parse.js';

const refused = (sql: string) => {
  try {
    parseCreateIndex(sql);
  } catch (err) {
    if (err instanceof WhatIfInputError) return err.message;
    throw err;
  }
  throw new Error(`accepted: ${sql}`);
};

describe('parseCreateIndex', () => {
  it('parses the statement and renders it quoted, under its own name', () => {
    const p = parseCreateIndex(
      "create unique index concurrently if not exists my_idx on only Conversations using btree (user_id, created_at DESC NULLS LAST) include (total_tokens) where status = 'it''s' and processing_time_ms >= 5 and created_at > '2024-01-01'::timestamptz",
    );
    expect(p).toMatchObject({ unique: true, table: 'conversations', method: 'btree', include: ['total_tokens'] });
    expect(p.columns).toEqual([{ name: 'user_id' }, { name: 'created_at', order: 'DESC', nulls: 'LAST' }]);
    expect(renderCreateIndex(p, 'w1')).toBe(
      `CREATE UNIQUE INDEX "w1" ON "conversations" USING btree ("user_id", "created_at" DESC NULLS LAST) INCLUDE ("total_tokens") WHERE "status" = 'it''s' AND "processing_time_ms" >= 5 AND "created_at" > '2024-01-01'::TIMESTAMPTZ`,
    );
  });

  it('accepts an index without a name', () => {
    expect(parseCreateIndex('CREATE INDEX ON users (last_activity_at DESC)').table).toBe('users');
  });

  it.each([
    ['', /empty/],
    ['DROP TABLE users', /Expected CREATE/],
    ['CREATE TABLE x (a int)', /Expected INDEX/],
    ['CREATE INDEX ON users (id); DROP TABLE users', /semicolon at character 27/],
    ['CREATE INDEX ON users (id) -- hi', /comment/],
    ['CREATE INDEX ON users (id) /* x */', /comment/],
    ['CREATE INDEX ON users (lower(username))', /close the column list/],
    ['CREATE INDEX ON public.users (id)', /Unexpected character "\."/],
    ['CREATE INDEX ON "users" (id)', /Unexpected character/],
    ['CREATE INDEX ON users USING bogus (id)', /Unknown index method 'bogus'/],
    ['CREATE INDEX ON users (id) WHERE pg_terminate_backend(1)', /Function calls are not accepted/],
    ['CREATE INDEX ON users (id) WHERE id IN (SELECT 1)', /Sub-queries/],
    ['CREATE INDEX ON users (id) WHERE id::regclass', /Casts to 'regclass'/],
    ["CREATE INDEX ON users (id) WHERE username = 'open", /not closed/],
    ['CREATE INDEX ON users (id) WHERE (id > 1', /parentheses/],
    ['CREATE INDEX ON users (id) CREATE INDEX ON users (id)', /after the statement/],
    ['CREATE INDEX ON users', /Expected '\('/],
  ])('refuses %j', (sql, message) => {
    expect(refused(sql)).toMatch(message);
  });
});
