import { describe, expect, it } from 'vitest';
import { DeclarationRegistry, EIGHT_INDEXES } from './declarations.js';
import { createIndexSql, indexShape } from './ensure/ddl.js';

describe('declarations', () => {
  it('hold the eight indexes of DESIGN.md', () => {
    expect(EIGHT_INDEXES.map((d) => createIndexSql(d))).toEqual([
      'CREATE INDEX "conversations_user_created" ON "conversations" (user_id, created_at DESC)',
      'CREATE INDEX "conversations_status_processing" ON "conversations" (status, processing_time_ms)',
      'CREATE INDEX "conversations_model_created" ON "conversations" (ai_model, created_at) INCLUDE ("total_tokens")',
      'CREATE INDEX "conversations_user_tokens" ON "conversations" (user_id) INCLUDE ("total_tokens")',
      'CREATE INDEX "users_active_premium" ON "users" (premium_until) INCLUDE ("id") WHERE is_premium AND NOT is_blocked',
      'CREATE INDEX "users_last_activity" ON "users" (last_activity_at DESC)',
      'CREATE INDEX "conversations_created" ON "conversations" (created_at) INCLUDE ("ai_model", "total_tokens")',
      'CREATE INDEX "users_blocked" ON "users" (id) WHERE is_blocked',
    ]);
  });

  it('take contributions, refuse a name another owner has, and give them back', () => {
    const registry = new DeclarationRegistry();
    const undo = registry.add('orders', [{ name: 'orders_user', table: 'orders', columns: ['user_id'], serves: 'userOrders' }]);
    expect(registry.list().find((d) => d.name === 'orders_user')?.owner).toBe('orders');
    expect(() => registry.add('other', [{ name: 'orders_user', table: 'orders', columns: ['x'], serves: 'q' }])).toThrow(/already declared by 'orders'/);
    expect(() => registry.add('other', [{ name: 'users_blocked', table: 'users', columns: ['x'], serves: 'q' }])).toThrow(/already declared by 'db-indexes'/);
    undo();
    expect(registry.list()).toHaveLength(8);
  });

  it('refuse bad declarations, naming the problem', () => {
    const registry = new DeclarationRegistry();
    expect(() => registry.add('x', [{ name: 'Bad Name', table: 't', columns: ['a'], serves: 'q' }])).toThrow(/lower-case SQL identifier/);
    expect(() => registry.add('x', [{ name: 'ok', table: 't', columns: [], serves: 'q' }])).toThrow(/at least one column/);
    expect(() => registry.add('x', [{ name: 'ok', table: 't', columns: ['a); DROP TABLE t; --'], serves: 'q' }])).toThrow(/contains ';'/);
  });

  it('compare definitions without name and table', () => {
    expect(indexShape('CREATE INDEX a ON public.t USING btree (x DESC)')).toBe('USING btree (x DESC)');
    expect(indexShape('CREATE UNIQUE INDEX b ON ONLY t USING btree (x) WHERE y')).toBe('UNIQUE USING btree (x) WHERE y');
  });
});
