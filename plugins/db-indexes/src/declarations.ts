import { PlugboardError } from '@plugboard/plugin-api';
import type { IndexDeclaration, IndexDeclarations } from './contract.js';

/**
 * The eight indexes of DESIGN.md, as data: each with the named query of plugins/conversations it
 * serves. `plugboard bench indexes` measures each one against its query.
 */
export const EIGHT_INDEXES: readonly IndexDeclaration[] = Object.freeze([
  { name: 'conversations_user_created', table: 'conversations', columns: ['user_id', 'created_at DESC'], serves: 'userConversations' },
  { name: 'conversations_status_processing', table: 'conversations', columns: ['status', 'processing_time_ms'], serves: 'conversationsByStatus' },
  { name: 'conversations_model_created', table: 'conversations', columns: ['ai_model', 'created_at'], include: ['total_tokens'], serves: 'modelAnalytics' },
  { name: 'conversations_user_tokens', table: 'conversations', columns: ['user_id'], include: ['total_tokens'], serves: 'userTokenTotals' },
  {
    name: 'users_active_premium',
    table: 'users',
    columns: ['premium_until'],
    include: ['id'],
    where: 'is_premium AND NOT is_blocked',
    serves: 'activePremiumUsers',
  },
  { name: 'users_last_activity', table: 'users', columns: ['last_activity_at DESC'], serves: 'recentlyActiveUsers' },
  {
    name: 'conversations_created',
    table: 'conversations',
    columns: ['created_at'],
    include: ['ai_model', 'total_tokens'],
    serves: 'dailyCounts',
    alsoServes: ['allModelAnalytics'],
  },
  { name: 'users_blocked', table: 'users', columns: ['id'], where: 'is_blocked', serves: 'blockedUsers' },
].map((d) => Object.freeze({ ...d, owner: 'db-indexes' })));

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws a PlugboardError naming what is wrong with `d`, or returns it with its owner set. */
export function checkDeclaration(owner: string, d: IndexDeclaration): IndexDeclaration {
  const where = `Index declaration '${d.name}' of '${owner}'`;
  if (!IDENTIFIER.test(d.name)) throw invalid(`${where}: the name must be a lower-case SQL identifier (letters, digits, _), such as 'orders_user_created'.`);
  if (!IDENTIFIER.test(d.table)) throw invalid(`${where}: table '${d.table}' must be a lower-case SQL identifier.`);
  if (d.columns.length === 0) throw invalid(`${where}: give at least one column or expression in 'columns'.`);
  for (const c of [...d.columns, ...(d.include ?? []), d.where ?? '']) {
    if (c.includes(';')) throw invalid(`${where}: '${c}' contains ';'. Give one column, expression or predicate, without statement separators.`);
  }
  for (const c of d.include ?? []) {
    if (!IDENTIFIER.test(c)) throw invalid(`${where}: INCLUDE column '${c}' must be a plain column name.`);
  }
  return Object.freeze({ ...d, owner });
}

function invalid(message: string): PlugboardError {
  return new PlugboardError('invalidArgument', message);
}

/**
 * The declarations the plugin keeps: its own eight and those other plugins add while they run.
 * A name declared twice is refused, naming who declared it first.
 *
 * @example
 * const registry = new DeclarationRegistry(EIGHT_INDEXES);
 * const undo = registry.add('orders', [{ name: 'orders_user', table: 'orders', columns: ['user_id'], serves: 'userOrders' }]);
 * undo();
 */
export class DeclarationRegistry implements IndexDeclarations {
  readonly #byName = new Map<string, IndexDeclaration>();

  constructor(own: readonly IndexDeclaration[] = EIGHT_INDEXES) {
    for (const d of own) this.#byName.set(d.name, d);
  }

  add(owner: string, declarations: readonly IndexDeclaration[]): () => void {
    const checked = declarations.map((d) => checkDeclaration(owner, d));
    for (const d of checked) {
      const existing = this.#byName.get(d.name);
      if (existing && existing.owner !== owner) {
        throw invalid(`Index '${d.name}' is already declared by '${existing.owner}'; '${owner}' must use another name.`);
      }
    }
    for (const d of checked) this.#byName.set(d.name, d);
    return () => {
      for (const d of checked) if (this.#byName.get(d.name) === d) this.#byName.delete(d.name);
    };
  }

  list(): IndexDeclaration[] {
    return [...this.#byName.values()];
  }
}
