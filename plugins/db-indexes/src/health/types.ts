import type { Sequelize } from 'sequelize';
import type { DbIndexesConfig } from '../config.js';
import type { Finding } from '../contract.js';

export type Thresholds = DbIndexesConfig['thresholds'];

/** What every health check gets. */
export interface CheckContext {
  sequelize: Sequelize;
  thresholds: Thresholds;
  /** Names of indexes being built now (not reported as invalid). */
  building: ReadonlySet<string>;
}

/** One health check: the findings it makes now (none on a healthy schema). */
export type HealthCheck = (ctx: CheckContext) => Promise<Finding[]>;

/** `1536000` -> `'1.5 MB'` */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio >= 0.999 && ratio < 1 ? 2 : 1)}%`;
}
