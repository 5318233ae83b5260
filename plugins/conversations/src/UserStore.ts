import { coreServices, inject, injectable } from '@plugboard/plugin-api';
import type { DatabaseService } from '@plugboard/plugin-api';
import { QueryTypes } from 'sequelize';
import { defineModels, type DomainModels } from './models.js';
import { userFromRow } from './rows.js';
import type { User } from './types.js';

const CREATE = `INSERT INTO users (id, username, created_at, updated_at)
VALUES ($1, $2, now(), now())
ON CONFLICT (id) DO NOTHING
RETURNING *`;

/**
 * Reads users and creates them on first contact. The service reads through the cache; this is
 * what the cache loads from.
 *
 * @example
 * const store = ctx.create(UserStore);
 * const { user, created } = await store.createIfMissing(42, 'ada');
 */
@injectable()
export class UserStore {
  #models: DomainModels | undefined;

  constructor(@inject(coreServices.database) private readonly db: DatabaseService) {}

  private get models(): DomainModels {
    this.#models ??= defineModels(this.db.sequelize);
    return this.#models;
  }

  async find(id: number): Promise<User | undefined> {
    const row = await this.models.Users.findByPk(id, { raw: true });
    return row === null ? undefined : userFromRow(row as unknown as Record<string, unknown>);
  }

  /** Inserts the user unless it exists; concurrent first contacts of one user make one row. */
  async createIfMissing(id: number, username: string | null): Promise<{ user: User; created: boolean }> {
    const rows = await this.db.sequelize.query<Record<string, unknown>>(CREATE, {
      type: QueryTypes.SELECT,
      bind: [id, username],
    });
    if (rows[0] !== undefined) return { user: userFromRow(rows[0]), created: true };
    const existing = await this.find(id);
    if (existing === undefined) throw new Error(`User '${id}' was neither created nor found; it was deleted meanwhile.`);
    return { user: existing, created: false };
  }
}
