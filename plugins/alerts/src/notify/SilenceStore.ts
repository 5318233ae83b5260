/**
 * Where silences made through the API are kept, so a restart of the plugin (a reload of its
 * section, a deploy) does not lift them: the `alert_silences` table. Silences from the config are
 * not stored; the config brings them back itself.
 */
import type { Sequelize } from 'sequelize';
import type { Silence } from '../contract.js';

const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS alert_silences (
    id         uuid PRIMARY KEY,
    matchers   jsonb NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    created_by text NOT NULL,
    comment    text NOT NULL
  )`;

interface Row {
  id: string;
  matchers: Silence['matchers'];
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  comment: string;
}

export class SilenceStore {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Creates the table when it is missing. Not a plugin migration: core runs the migrations of
   * plugins that start side by side (alerts and batching do) on its two-connection maintenance
   * pool, where two runs wait on each other's connection until the acquire timeout (see the
   * report of this branch). One idempotent statement on the ordinary pool has no such wait; two
   * instances creating it at once may race, so a duplicate is taken as done.
   */
  async ensureTable(): Promise<void> {
    try {
      await this.sequelize.query(CREATE_TABLE);
    } catch (err) {
      const code = (err as { parent?: { code?: string } }).parent?.code;
      if (code !== '23505' && code !== '42P07') throw err;
    }
  }

  /** Silences that end after `since` (ms). */
  async load(since: number): Promise<Silence[]> {
    const [rows] = (await this.sequelize.query('SELECT * FROM alert_silences WHERE ends_at > $1 ORDER BY ends_at', { bind: [new Date(since)] })) as [Row[], unknown];
    return rows.map((r) => ({ id: r.id, matchers: r.matchers, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), createdBy: r.created_by, comment: r.comment }));
  }

  /** Inserts or updates (an expiry moves `endsAt`). */
  async save(s: Silence): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET ends_at = EXCLUDED.ends_at`,
      { bind: [s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment] },
    );
  }
}
