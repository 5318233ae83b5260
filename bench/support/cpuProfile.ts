/**
 * Reads V8 .cpuprofile files (as bench/support/profileOnSignal.mjs writes them) into CPU time per
 * request, by package (`@opentelemetry/sdk-trace`, `hono`, `node:internal/async_hooks`, a folder
 * of this repository such as `core/runtime/src`, or a native function) and by function, leaving
 * out idle time. Two profiles of the same route taken in one run, divided by the requests each
 * served, tell where the extra microseconds of a mode go.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds per request, by package and by function. */
export interface CostPerRequest {
  byPackage: Map<string, number>;
  byFunction: Map<string, number>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * @example
 * const off = await costPerRequest('/tmp/off.cpuprofile', 40_000);
 */
export async function costPerRequest(file: string, requests: number): Promise<CostPerRequest> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const us = (self.get(node.id) ?? 0) / requests;
    if (us === 0) continue;
    const where = url.replace(/^file:\/\//, '').replace(ROOT, '');
    const pkg = packageOf(where, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${where || '(native)'}${where ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  return { byPackage, byFunction };
}

function packageOf(where: string, functionName: string): string {
  if (where === '') return `(native) ${functionName}`;
  if (where.startsWith('node:')) return where;
  const modules = where.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = where.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return where.split('/').slice(0, 3).join('/');
}

/**
 * The rows where `mode` costs more per request than `base`, largest difference first.
 *
 * @example
 * console.table(costlier(off.byPackage, all.byPackage, 15));
 */
export function costlier(base: Map<string, number>, mode: Map<string, number>, limit: number): { where: string; base_us: number; mode_us: number; extra_us: number }[] {
  const keys = new Set([...base.keys(), ...mode.keys()]);
  return [...keys]
    .map((where) => ({ where, base_us: round(base.get(where) ?? 0), mode_us: round(mode.get(where) ?? 0), extra_us: round((mode.get(where) ?? 0) - (base.get(where) ?? 0)) }))
    .sort((a, b) => b.extra_us - a.extra_us)
    .slice(0, limit);
}

/** The sum of a breakdown, in µs per request. */
export function total(costs: Map<string, number>): number {
  let sum = 0;
  for (const us of costs.values()) sum += us;
  return round(sum);
}

const round = (n: number): number => Math.round(n * 100) / 100;
