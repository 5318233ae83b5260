import { QueryTypes, type Sequelize } from 'sequelize';
import type { IndexDeclaration, IndexStatus } from '../contract.js';
import { quoteIdent, rows } from '../sql.js';
import { createIndexSql, indexShape } from './ddl.js';

interface FoundIndex {
  name: string;
  table: string;
  valid: boolean;
  def: string;
  size: string;
  scans: string | null;
  building: boolean;
}

/** The indexes of the current schema named `names`, with validity, definition, size, scans and whether a build runs. */
export async function findIndexes(sequelize: Sequelize, names: readonly string[]): Promise<Map<string, FoundIndex>> {
  const found = await rows<FoundIndex>(
    sequelize,
    `SELECT c.relname AS name, t.relname AS "table", i.indisvalid AS valid, pg_get_indexdef(c.oid) AS def,
       pg_relation_size(c.oid)::bigint AS size, s.idx_scan AS scans,
       EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid) AS building
     FROM pg_class c
     JOIN pg_index i ON i.indexrelid = c.oid
     JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = c.oid
     WHERE n.nspname = current_schema() AND c.relname = ANY($1)`,
    [names],
  );
  return new Map(found.map((f) => [f.name, f]));
}

/**
 * The shape PostgreSQL gives the declared index: built, in a transaction that is rolled back, on
 * an empty temporary copy of its table, so PostgreSQL itself normalises the expressions and the
 * predicate. Throws when the declaration does not compile (a column that does not exist...).
 */
export async function declaredShape(sequelize: Sequelize, d: IndexDeclaration): Promise<string> {
  const probe = `plugboard_shape_${d.table}`.slice(0, 63);
  const tx = await sequelize.transaction();
  try {
    await sequelize.query(`CREATE TEMP TABLE ${quoteIdent(probe)} (LIKE ${quoteIdent(d.table)}) ON COMMIT DROP`, { transaction: tx });
    await sequelize.query(createIndexSql(d, { name: `${probe}_idx`.slice(0, 63), table: probe }), { transaction: tx });
    const [row] = await sequelize.query<{ def: string }>(
      'SELECT pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = pg_my_temp_schema()',
      { type: QueryTypes.SELECT, bind: [`${probe}_idx`.slice(0, 63)], transaction: tx },
    );
    if (!row) throw new Error(`the probe index of '${d.name}' was not found`);
    return indexShape(row.def);
  } finally {
    await tx.rollback();
  }
}

/**
 * The state of each declared index: `valid`, `missing`, `invalid` (left by a failed concurrent
 * build), `building` (a build runs now) or `different` (an index of that name with another
 * definition; `found` holds it).
 */
export async function inspectIndexes(sequelize: Sequelize, declarations: readonly IndexDeclaration[]): Promise<IndexStatus[]> {
  const found = await findIndexes(sequelize, declarations.map((d) => d.name));
  const out: IndexStatus[] = [];
  for (const d of declarations) {
    const f = found.get(d.name);
    if (!f) {
      out.push({ declaration: d, state: 'missing' });
      continue;
    }
    const measured = { sizeBytes: Number(f.size), ...(f.scans === null ? {} : { scans: Number(f.scans) }) };
    if (f.building) {
      out.push({ declaration: d, state: 'building', ...measured });
      continue;
    }
    let same: boolean;
    try {
      same = f.table === d.table && indexShape(f.def) === (await declaredShape(sequelize, d));
    } catch {
      same = false;
    }
    if (!same) out.push({ declaration: d, state: 'different', found: f.def, ...measured });
    else out.push({ declaration: d, state: f.valid ? 'valid' : 'invalid', ...measured });
  }
  return out;
}
