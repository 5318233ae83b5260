/**
 * What other plugins (the dashboard, third-party plugins) use of plugins/db-indexes. This file is
 * the contract: the refs and the shapes they answer. The plugin implements it.
 */
import { serviceRef } from '@plugboard/plugin-api';

/** An index the plugin keeps, as data. */
export interface IndexDeclaration {
  name: string;
  table: string;
  /** Columns or expressions, each with its order: `'user_id'`, `'created_at DESC'`, `'(lower(username))'`. */
  columns: readonly string[];
  include?: readonly string[];
  /** The partial index's predicate, SQL over the table's columns. */
  where?: string;
  unique?: boolean;
  /** The named query it serves (a key of conversations' `queries`, or the contributor's own). */
  serves: string;
  /** Who declared it: 'db-indexes' or the contributing plugin. */
  owner?: string;
}

export type IndexState = 'valid' | 'missing' | 'invalid' | 'building' | 'different';

export interface IndexStatus {
  declaration: IndexDeclaration;
  state: IndexState;
  sizeBytes?: number;
  scans?: number;
  /** For `different`: the definition found in the database. */
  found?: string;
}

export type FindingSeverity = 'info' | 'warning' | 'critical';

/** One thing the report says, with what to do about it and why. */
export interface Finding {
  /** 'missing-index', 'unused-index', 'duplicate-index', 'invalid-index', 'cache-hit-rate', 'bloat', 'sequence-overflow', 'slow-query', 'long-running-query', 'idle-in-transaction', 'vacuum', 'estimate-off', ... */
  kind: string;
  severity: FindingSeverity;
  /** What it is about: a table, an index, a query. */
  subject: string;
  message: string;
  /** What to do, and why. */
  advice: string;
}

/** A running index build, from pg_stat_progress_create_index. */
export interface BuildProgress {
  index: string;
  phase: string;
  blocksDone: number;
  blocksTotal: number;
  tuplesDone: number;
  tuplesTotal: number;
  startedAt: string;
}

/** What `GET /api/db/report` answers. */
export interface DbReport {
  generatedAt: string;
  indexes: readonly IndexStatus[];
  builds: readonly BuildProgress[];
  findings: readonly Finding[];
}

/** What the plugin provides as `dbIndexes.service`. */
export interface DbIndexesApi {
  /** Runs every check now. */
  report(): Promise<DbReport>;
  /** The last report made (by a request or the background task), if any. */
  lastReport(): DbReport | undefined;
}

/** Where other plugins add their own index declarations (kept while the contributor runs). */
export interface IndexDeclarations {
  /** Adds declarations owned by `owner`; returns the function that takes them back. */
  add(owner: string, declarations: readonly IndexDeclaration[]): () => void;
  list(): IndexDeclaration[];
}

export const dbIndexesRef = serviceRef<DbIndexesApi>('dbIndexes.service', {
  description: 'Index status, health checks and the optimisation report',
});
export const indexDeclarationsRef = serviceRef<IndexDeclarations>('dbIndexes.declarations', {
  description: 'Index declarations other plugins contribute',
});
