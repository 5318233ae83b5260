import { expect, it } from 'vitest';
import { normalizeSql, summarizeSql } from './sql.js';

it('takes the operation and main table and replaces every literal with ?', () => {
  expect(summarizeSql("SELECT * FROM users WHERE id = 42 AND name = 'o''brien' AND score > -1.5e3")).toEqual({
    operation: 'SELECT',
    collection: 'users',
    statement: 'SELECT * FROM users WHERE id = ? AND name = ? AND score > ?',
  });
  expect(summarizeSql('INSERT INTO "public"."conversations" (id, total_tokens) VALUES ($1, $2)')).toMatchObject({
    operation: 'INSERT',
    collection: 'public.conversations',
    statement: 'INSERT INTO "public"."conversations" (id, total_tokens) VALUES ($1, $2)',
  });
  expect(summarizeSql('update users set message_count = message_count + 1 where id = $1').collection).toBe('users');
  expect(summarizeSql('SELECT 1+1 AS result')).toEqual({ operation: 'SELECT', collection: undefined, statement: 'SELECT ?+? AS result' });
});

it('leaves identifiers with digits alone and replaces dollar-quoted strings', () => {
  expect(normalizeSql('SELECT col1, t2.x FROM t2 WHERE body = $$secret$$ AND tag = $t$x$t$')).toBe('SELECT col1, t2.x FROM t2 WHERE body = ? AND tag = ?');
  expect(normalizeSql("SELECT E'a\\nb', 'x'\n\n  FROM  y")).toBe('SELECT ?, ? FROM y');
});

it('gives texts that differ only in their literals one summary, so what is made per statement is made once per shape', () => {
  const first = summarizeSql("SELECT * FROM \"conversations\" WHERE \"user_id\" = 4101 AND \"ai_model\" = 'gpt-4o'");
  const second = summarizeSql("SELECT * FROM \"conversations\" WHERE \"user_id\" = 4102 AND \"ai_model\" = 'claude'");
  expect(second).toBe(first);
  expect(Object.isFrozen(first)).toBe(true);
  expect(summarizeSql('SELECT * FROM "conversations" WHERE "user_id" = 4101 AND "ai_model" IS NULL')).not.toBe(first);
});
