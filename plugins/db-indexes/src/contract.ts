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
  /** Other named queries it serves as well. */
  alsoServes?: readonly string[];
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

/** A plan node whose row estimate is off from the actual rows by `factor`, with what to do. */
export interface Misestimate {
  node: string;
  relation?: string;
  condition?: string;
  estimatedRows: number;
  actualRows: number;
  factor: number;
  advice: string;
}

/** The analysis of one named query: EXPLAIN (ANALYZE, BUFFERS) with its sample parameters. */
export interface QueryAnalysis {
  name: string;
  /** Indexes declared for it. */
  intendedIndexes: string[];
  /** `Limit > Index Scan using conversations_user_created on conversations` */
  shape?: string;
  /** Indexes the plan reads. */
  indexes: string[];
  seqScan?: boolean;
  /** Execution time, ms. */
  timeMs?: number;
  planningMs?: number;
  totalCost?: number;
  /** Shared buffers hit and read by the whole plan. */
  buffers?: { hit: number; read: number };
  misestimates: Misestimate[];
  /** Why it could not be explained (a timeout...). */
  error?: string;
}

/** Vacuum and analyze state of a maintained table. */
export interface TableMaintenance {
  table: string;
  liveTuples: number;
  deadTuples: number;
  /** dead / (live + dead), 0 for an empty table. */
  deadRatio: number;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  /** The server's `autovacuum` setting and the table's `autovacuum_enabled` together. */
  autovacuum: boolean;
}

/** One index build an instance made. */
export interface BuildRecord {
  index: string;
  table: string;
  outcome: 'created' | 'rebuilt' | 'failed';
  durationMs: number;
  at: string;
  error?: string;
}

/** What `GET /api/db/report` answers. */
export interface DbReport {
  generatedAt: string;
  indexes: readonly IndexStatus[];
  builds: readonly BuildProgress[];
  findings: readonly Finding[];
  /** EXPLAIN ANALYZE of each named query (added by this plugin; absent when analysis is off). */
  queries?: readonly QueryAnalysis[];
  /** Maintained tables: dead tuples, last vacuum and analyze, autovacuum. */
  tables?: readonly TableMaintenance[];
  /** Index and table cache hit rates (0..1), absent before any block was read. */
  cacheHitRates?: { index?: number; table?: number };
  /** Whether slow queries could be read from pg_stat_statements. */
  statStatements?: 'ready' | 'not-installed' | 'not-preloaded';
  /** The builds this instance made recently. */
  recentBuilds?: readonly BuildRecord[];
}

/** What the plugin provides as `dbIndexes.service`. */
export interface DbIndexesApi {
  /** Runs every check now (`analyzeQueries: false` skips the EXPLAIN ANALYZE of the named queries). */
  report(options?: { analyzeQueries?: boolean }): Promise<DbReport>;
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

/**
 * What the plugin's routes and commands call, for plugins and tests that act on the database
 * (ensure, analysis, what-if, maintenance). Implemented by the `DbIndexes` class of this plugin.
 */
export interface DbIndexesOperations {
  ensure(options: { includeLarge: boolean; wait: boolean; signal?: AbortSignal }): Promise<{
    lock: 'acquired' | 'busy';
    built: BuildRecord[];
    deferred: string[];
    different: string[];
    indexes: IndexStatus[];
  }>;
  progress(): Promise<{ builds: BuildProgress[]; running: { index: string; progress?: BuildProgress }[]; history: readonly BuildRecord[] }>;
  maintain(operation: 'vacuum' | 'analyze', signal?: AbortSignal): Promise<{ operation: string; table: string; outcome: 'ok' | 'error'; durationMs: number; error?: string }[]>;
  declarations(): IndexDeclaration[];
}

export const dbIndexesOpsRef = serviceRef<DbIndexesOperations>('dbIndexes.operations', {
  description: 'Ensure indexes, progress and maintenance, as the routes and commands run them',
});
