import { durationSchema } from '@plugboard/plugin-api';
import { z } from 'zod';

/**
 * The `db-indexes:` section of the config file. Every key has a default.
 *
 * @example
 * plugins:
 *   db-indexes:
 *     ensure: manual
 *     maintenance: { vacuumEvery: 1d, analyzeEvery: 1h }
 */
export const configSchema = z.object({
  ensure: z
    .enum(['on-start', 'manual'])
    .default('on-start')
    .describe("'on-start' creates missing and rebuilds invalid indexes when the plugin starts; 'manual' only through `plugboard db ensure-indexes` or POST /admin/db/indexes/ensure."),
  ensureEvery: durationSchema.default('1h').describe('With ensure: on-start, how often the background task checks again (and rebuilds INVALID indexes); it also builds the indexes of large tables once at start.'),
  buildTimeout: durationSchema.default('6h').describe('A background ensure run still going after this long is cancelled (pg_cancel_backend); the index left INVALID is rebuilt next time.'),
  largeTableRows: z
    .number().int().min(0).default(100_000)
    .describe('Tables with at least this many rows (estimated) get their indexes built by a background task instead of in the start-up path.'),
  progressEvery: durationSchema.default('2s').describe('How often a running build logs its progress (from pg_stat_progress_create_index).'),
  analysisTimeout: durationSchema.default('10s').describe('statement_timeout of each EXPLAIN ANALYZE of a named query.'),
  reportEvery: durationSchema.default('15m').describe('How often the background task makes a report (kept for lastReport() and the dashboard).'),
  whatIf: z
    .object({
      lockTimeout: durationSchema.default('2s').describe('lock_timeout of a real (not hypothetical) what-if build: it gives up rather than queue behind writers.'),
      maxTableBytes: z.number().int().min(0).default(1_073_741_824).describe('A real what-if build is refused on tables larger than this (bytes; it blocks writes while it builds).'),
      statementTimeout: durationSchema.default('60s').describe('statement_timeout of a real what-if build and its EXPLAINs.'),
    })
    .prefault({})
    .describe('What-if analysis of a candidate index.'),
  maintenance: z
    .object({
      tables: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case table name')).default(['users', 'conversations']).describe('Tables the maintenance tasks VACUUM and ANALYZE.'),
      vacuumEvery: durationSchema.default('1d').describe('Period of the vacuum-analyze task (VACUUM (ANALYZE) of each table).'),
      analyzeEvery: durationSchema.default('1h').describe('Period of the analyze task (ANALYZE of each table).'),
    })
    .prefault({})
    .describe('Scheduled VACUUM and ANALYZE.'),
  thresholds: z
    .object({
      unusedIndexScans: z.number().int().min(0).default(50).describe('An index scanned fewer times than this (and larger than unusedIndexBytes) is reported unused.'),
      unusedIndexBytes: z.number().int().min(0).default(1_048_576).describe('Smallest index reported as unused, in bytes.'),
      missingIndexSeqScans: z.number().int().min(0).default(100).describe('A table read by more sequential scans than this ...'),
      missingIndexRows: z.number().int().min(0).default(10_000).describe('... with at least this many rows, mostly read sequentially, is reported as missing an index.'),
      cacheHitRate: z.number().min(0).max(1).default(0.99).describe('Index and table cache hit rates below this are reported.'),
      bloatRatio: z.number().min(0).max(1).default(0.5).describe('An index estimated to be more than this fraction wasted space is reported.'),
      bloatBytes: z.number().int().min(0).default(10_485_760).describe('... when its wasted space is at least this many bytes.'),
      sequenceUsed: z.number().min(0).max(1).default(0.8).describe('A sequence that has used more than this fraction of its range is reported.'),
      slowQueryMs: z.number().min(0).default(100).describe('Statements of pg_stat_statements slower than this on average (ms) ...'),
      slowQueryCalls: z.number().int().min(0).default(10).describe('... and called at least this often are reported.'),
      longRunning: durationSchema.default('1m').describe('A query running longer than this is reported.'),
      idleInTransaction: durationSchema.default('1m').describe('A connection idle in a transaction for longer than this is reported.'),
      deadTupleRatio: z.number().min(0).max(1).default(0.2).describe('A table whose dead tuples exceed this fraction of its rows is reported as needing VACUUM.'),
      estimateFactor: z.number().min(1).default(10).describe('A plan node whose estimated rows are off from the actual rows by this factor or more is reported.'),
    })
    .prefault({})
    .describe('When a health check reports something.'),
});

export type DbIndexesConfig = z.output<typeof configSchema>;
