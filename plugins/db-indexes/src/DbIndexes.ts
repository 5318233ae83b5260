import { parseDuration, type DatabaseService } from '@plugboard/plugin-api';
import { queries as domainQueries, type NamedQuery } from '@plugboard/plugin-conversations';
import type { Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { DbIndexesConfig } from './config.js';
import type { BuildProgress, BuildRecord, IndexDeclaration, QueryAnalysis } from './contract.js';
import { DbService } from './DbService.js';
import { DeclarationRegistry } from './declarations.js';
import { Ensurer, type EnsureOptions, type EnsureResult } from './ensure/Ensurer.js';
import { readBuildProgress } from './ensure/progress.js';
import { Maintenance, type MaintenanceOperation, type MaintenanceRun } from './maintenance.js';
import { DbMetrics } from './metrics.js';
import { whatIf, type WhatIfResult } from './whatif/whatIf.js';

export interface DbIndexesDeps {
  database: DatabaseService;
  config: DbIndexesConfig;
  logger: Logger;
  meter: Meter;
  registry?: DeclarationRegistry;
  /** The named queries analysed. Default: conversations' `queries`. */
  queries?: readonly NamedQuery[];
  onProgress?: (progress: BuildProgress) => void;
}

/** Before and after one step (an ANALYZE of the tables), per query. */
export interface AnalyzeComparison {
  name: string;
  before: QueryAnalysis;
  after: QueryAnalysis;
}

/**
 * Everything the plugin does, put together once for the running plugin and once per CLI
 * command: the report service, the ensurer, maintenance and what-if.
 *
 * @example
 * const db = new DbIndexes({ database, config, logger, meter });
 * await db.ensurer.ensure({ includeLarge: true, wait: true });
 * console.log((await db.service.report()).findings);
 */
export class DbIndexes {
  readonly registry: DeclarationRegistry;
  readonly service: DbService;
  readonly ensurer: Ensurer;
  readonly maintenance: Maintenance;
  readonly metrics: DbMetrics;
  readonly #deps: DbIndexesDeps;

  constructor(deps: DbIndexesDeps) {
    this.#deps = deps;
    const { database, config, logger } = deps;
    this.registry = deps.registry ?? new DeclarationRegistry();
    const declarations = () => this.registry.list();
    this.metrics = new DbMetrics(deps.meter, () => this.service.lastReport(), () => this.service.lastReport()?.cacheHitRates ?? {});
    this.ensurer = new Ensurer({
      database,
      declarations,
      logger,
      metrics: this.metrics,
      largeTableRows: config.largeTableRows,
      progressEveryMs: parseDuration(config.progressEvery, 'progressEvery'),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    });
    this.service = new DbService({ database, config, logger, declarations, queries: () => this.queries(), ensurer: this.ensurer });
    this.maintenance = new Maintenance({ database, logger, metrics: this.metrics, tables: config.maintenance.tables });
  }

  queries(): readonly NamedQuery[] {
    return this.#deps.queries ?? Object.values(domainQueries);
  }

  ensure(options: EnsureOptions): Promise<EnsureResult> {
    return this.ensurer.ensure(options);
  }

  /** Running builds in this database (anyone's) and this instance's own. */
  async progress(): Promise<{ builds: BuildProgress[]; running: ReturnType<Ensurer['running']>; history: readonly BuildRecord[] }> {
    return { builds: await readBuildProgress(this.#deps.database.sequelize), running: this.ensurer.running(), history: this.ensurer.history() };
  }

  /** Query analysis, then ANALYZE of the maintained tables, then the analysis again. */
  async analyzeBeforeAfter(): Promise<{ comparisons: AnalyzeComparison[]; maintenance: MaintenanceRun[] }> {
    const before = await this.service.analyze();
    const maintenance = await this.maintenance.run('analyze');
    const after = await this.service.analyze();
    return { comparisons: before.map((b, i) => ({ name: b.name, before: b, after: after[i]! })), maintenance };
  }

  maintain(operation: MaintenanceOperation, signal?: AbortSignal): Promise<MaintenanceRun[]> {
    return this.maintenance.run(operation, signal);
  }

  whatIf(statement: string, options: { build: boolean }): Promise<WhatIfResult> {
    const w = this.#deps.config.whatIf;
    // Bounded by whatIf.statementTimeout (SET LOCAL), not by the app pool's shorter timeout.
    return this.#deps.database.withoutTimeout((sequelize) =>
      whatIf(sequelize, statement, this.queries(), {
        allowBuild: options.build,
        lockTimeoutMs: parseDuration(w.lockTimeout, 'whatIf.lockTimeout'),
        statementTimeoutMs: parseDuration(w.statementTimeout, 'whatIf.statementTimeout'),
        maxTableBytes: w.maxTableBytes,
      }),
    );
  }

  declarations(): IndexDeclaration[] {
    return this.registry.list();
  }
}
