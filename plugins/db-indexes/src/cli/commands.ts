import { metrics } from '@opentelemetry/api';
import { PlugboardError, type CommandContext, type PluginCommand } from '@plugboard/plugin-api';
import type { DbIndexesConfig } from '../config.js';
import { DbIndexes } from '../DbIndexes.js';
import { describeProgress } from '../ensure/progress.js';
import { WhatIfRefusal } from '../whatif/whatIf.js';
import { table, comparisonText, reportMarkdown, reportText } from './format.js';

function open(ctx: CommandContext<DbIndexesConfig>, printProgress = false): DbIndexes {
  return new DbIndexes({
    database: ctx.database,
    config: ctx.config,
    logger: ctx.logger,
    meter: metrics.getMeter('db-indexes'),
    ...(printProgress ? { onProgress: (p) => ctx.out.write(`  ${p.index}: ${describeProgress(p)}\n`) } : {}),
  });
}

const json = (ctx: CommandContext<DbIndexesConfig>, value: unknown): void => {
  ctx.out.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** `plugboard db ...`: report, ensure-indexes, analyze, whatif, maintain, progress. */
export const dbCommands: PluginCommand<DbIndexesConfig>[] = [
  {
    name: 'db report',
    description: 'Index states, health findings, query plans and maintenance state (a table; --json or --markdown)',
    options: [
      { flags: '--json', description: 'print the report as JSON (the shape of GET /api/db/report)' },
      { flags: '--markdown', description: 'print the report as Markdown' },
      { flags: '--no-analyze', description: 'skip EXPLAIN ANALYZE of the named queries' },
    ],
    async run(options, ctx) {
      if (options['json'] && options['markdown']) throw new PlugboardError('invalidArgument', 'Give --json or --markdown, not both.');
      const report = await open(ctx).service.report({ analyzeQueries: options['analyze'] !== false });
      if (options['json']) json(ctx, report);
      else ctx.out.write(options['markdown'] ? reportMarkdown(report) : reportText(report));
    },
  },
  {
    name: 'db ensure-indexes',
    description: 'Create missing and rebuild INVALID declared indexes (CREATE INDEX CONCURRENTLY, under the advisory lock), printing progress',
    options: [{ flags: '--json', description: 'print the result as JSON' }],
    async run(options, ctx) {
      const result = await open(ctx, !options['json']).ensure({ includeLarge: true, wait: true });
      if (options['json']) return json(ctx, result);
      if (result.built.length === 0) ctx.out.write('Nothing to build: every declared index exists.\n');
      else ctx.out.write(`${table(['index', 'outcome', 'duration', 'error'], result.built.map((b) => [b.index, b.outcome, `${b.durationMs} ms`, b.error ?? '']))}\n`);
      for (const name of result.different) ctx.out.write(`Index ${name} exists with another definition and was left as it is (see plugboard db report).\n`);
      if (result.built.some((b) => b.outcome === 'failed')) process.exitCode = 1;
    },
  },
  {
    name: 'db analyze',
    description: 'EXPLAIN ANALYZE each named query, ANALYZE the tables, and again: before and after per query',
    options: [{ flags: '--json', description: 'print the comparison as JSON' }],
    async run(options, ctx) {
      const result = await open(ctx).analyzeBeforeAfter();
      if (options['json']) json(ctx, result);
      else ctx.out.write(comparisonText(result.comparisons));
    },
  },
  {
    name: 'db whatif',
    description: 'What a candidate index would change in the named queries\' plans (hypopg, or --build in a rolled-back transaction)',
    arguments: [{ name: 'statement', description: 'one CREATE INDEX statement, quoted' }],
    options: [
      { flags: '--build', description: 'without hypopg: build it in a transaction and roll back (blocks writes to the table meanwhile)' },
      { flags: '--json', description: 'print the result as JSON' },
    ],
    async run(options, ctx) {
      try {
        const r = await open(ctx).whatIf(ctx.args[0] ?? '', { build: options['build'] === true });
        if (options['json']) return json(ctx, r);
        ctx.out.write(`${r.statement}\n${r.notice}\n\n`);
        ctx.out.write(
          `${table(
            ['query', 'cost before', 'cost after', 'x', 'uses it', 'plan after'],
            r.queries.map((q) => [q.name, q.before.cost.toFixed(1), q.after.cost.toFixed(1), String(q.costRatio), q.usesCandidate ? 'yes' : 'no', q.after.shape]),
          )}\n`,
        );
      } catch (err) {
        if (err instanceof WhatIfRefusal) throw new PlugboardError('invalidArgument', err.message);
        throw err;
      }
    },
  },
  {
    name: 'db maintain',
    description: 'VACUUM (ANALYZE) (--vacuum) or ANALYZE (--analyze, the default) of the maintained tables',
    options: [
      { flags: '--vacuum', description: 'VACUUM (ANALYZE) each table' },
      { flags: '--analyze', description: 'ANALYZE each table' },
    ],
    async run(options, ctx) {
      const runs = await open(ctx).maintain(options['vacuum'] ? 'vacuum' : 'analyze');
      ctx.out.write(`${table(['operation', 'table', 'outcome', 'duration'], runs.map((r) => [r.operation, r.table, r.error ?? r.outcome, `${r.durationMs} ms`]))}\n`);
    },
  },
  {
    name: 'db progress',
    description: 'Index builds running in the database now (pg_stat_progress_create_index)',
    async run(_options, ctx) {
      const { builds } = await open(ctx).progress();
      ctx.out.write(builds.length === 0 ? 'No index build is running.\n' : `${table(['index', 'progress', 'started'], builds.map((b) => [b.index, describeProgress(b), b.startedAt]))}\n`);
    },
  },
];
