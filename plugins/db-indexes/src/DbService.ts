import { parseDuration, type DatabaseService } from '@plugboard/plugin-api';
import type { NamedQuery } from '@plugboard/plugin-conversations';
import type { Logger } from 'pino';
import { analysisFindings, analyzeQueries } from './analysis/analyzeQueries.js';
import type { DbIndexesConfig } from './config.js';
import type { DbIndexesApi, DbReport, Finding, IndexDeclaration, QueryAnalysis } from './contract.js';
import type { Ensurer } from './ensure/Ensurer.js';
import { inspectIndexes } from './ensure/inspect.js';
import { readBuildProgress } from './ensure/progress.js';
import { idleInTransaction, longRunningQueries, slowQueries, statStatementsState } from './health/activityChecks.js';
import { duplicateIndexes, invalidIndexesAndConstraints, missingIndexes, unusedIndexes } from './health/indexChecks.js';
import { cacheHitRates, indexBloat, readCacheHitRates, sequenceOverflow } from './health/storageChecks.js';
import type { CheckContext, HealthCheck } from './health/types.js';
import { maintenanceFindings, readTableMaintenance } from './maintenance.js';

/** Every health check of the report, by the finding kinds it makes. */
export const HEALTH_CHECKS: Readonly<Record<string, HealthCheck>> = {
  missingIndexes,
  unusedIndexes,
  duplicateIndexes,
  invalidIndexesAndConstraints,
  cacheHitRates,
  indexBloat,
  sequenceOverflow,
  slowQueries,
  longRunningQueries,
  idleInTransaction,
};

export interface DbServiceDeps {
  database: DatabaseService;
  config: DbIndexesConfig;
  logger: Logger;
  declarations: () => IndexDeclaration[];
  queries: () => readonly NamedQuery[];
  ensurer: Ensurer;
}

export interface ReportOptions {
  /** EXPLAIN ANALYZE each named query (default true). */
  analyzeQueries?: boolean;
}

/**
 * `dbIndexes.service`: makes the report (index states, running builds, every health check, the
 * query analysis, maintenance state) and keeps the last one.
 *
 * @example
 * const report = await service.report();
 * for (const f of report.findings) console.log(f.kind, f.subject, f.advice);
 */
export class DbService implements DbIndexesApi {
  readonly #deps: DbServiceDeps;
  #last: DbReport | undefined;

  constructor(deps: DbServiceDeps) {
    this.#deps = deps;
  }

  lastReport(): DbReport | undefined {
    return this.#last;
  }

  /** Explains each named query now. */
  async analyze(): Promise<QueryAnalysis[]> {
    const { database, config } = this.#deps;
    const declarations = this.#deps.declarations();
    return analyzeQueries(database.sequelize, this.#deps.queries(), {
      timeoutMs: parseDuration(config.analysisTimeout, 'analysisTimeout'),
      estimateFactor: config.thresholds.estimateFactor,
      intended: (name) => declarations.filter((d) => d.serves === name || d.alsoServes?.includes(name)).map((d) => d.name),
    });
  }

  async report(options: ReportOptions = {}): Promise<DbReport> {
    const { database, config, logger } = this.#deps;
    const sequelize = database.sequelize;
    const declarations = this.#deps.declarations();
    const indexes = await inspectIndexes(sequelize, declarations);
    const builds = await readBuildProgress(sequelize);
    const ctx: CheckContext = { sequelize, thresholds: config.thresholds, building: new Set(builds.map((b) => b.index)) };
    const findings: Finding[] = [];
    for (const [name, check] of Object.entries(HEALTH_CHECKS)) {
      try {
        findings.push(...(await check(ctx)));
      } catch (err) {
        logger.warn({ err, check: name }, `health check ${name} failed`);
        findings.push({
          kind: 'check-failed',
          severity: 'warning',
          subject: name,
          message: `The ${name} check failed: ${err instanceof Error ? err.message : String(err)}`,
          advice: 'Check that the database user may read the pg_stat_* views (grant pg_monitor), then report again.',
        });
      }
    }
    findings.push(...declarationFindings(indexes));
    const tables = await readTableMaintenance(sequelize, config.maintenance.tables);
    findings.push(...maintenanceFindings(tables, config.thresholds));
    let queries: QueryAnalysis[] | undefined;
    if (options.analyzeQueries ?? true) {
      queries = await this.analyze();
      findings.push(...analysisFindings(queries));
    }
    const rates = await readCacheHitRates(ctx);
    const report: DbReport = {
      generatedAt: new Date().toISOString(),
      indexes,
      builds,
      findings,
      ...(queries ? { queries } : {}),
      tables,
      cacheHitRates: { ...(rates.index === undefined ? {} : { index: rates.index }), ...(rates.table === undefined ? {} : { table: rates.table }) },
      statStatements: await statStatementsState(ctx),
      recentBuilds: [...this.#deps.ensurer.history()],
    };
    this.#last = report;
    return report;
  }
}

/** Declared indexes that are missing, INVALID or defined otherwise, as findings. */
function declarationFindings(indexes: DbReport['indexes']): Finding[] {
  const out: Finding[] = [];
  for (const s of indexes) {
    const d = s.declaration;
    if (s.state === 'missing') {
      out.push({
        kind: 'declared-index-missing',
        severity: 'warning',
        subject: d.name,
        message: `Declared index ${d.name} on ${d.table} (for ${d.serves}) does not exist.`,
        advice: 'Run plugboard db ensure-indexes (or POST /admin/db/indexes/ensure); with ensure: on-start the plugin builds it when it starts.',
      });
    } else if (s.state === 'different') {
      out.push({
        kind: 'index-definition-differs',
        severity: 'warning',
        subject: d.name,
        message: `Index ${d.name} exists with another definition: ${s.found}.`,
        advice: `It was left as it is. If the declaration is right, DROP INDEX CONCURRENTLY ${d.name} and run plugboard db ensure-indexes; if the database is right, change the declaration.`,
      });
    }
  }
  return out;
}
