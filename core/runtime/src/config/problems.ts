/** Turns validation failures into the one-line problems every config error lists. */
import type { z } from 'zod';
import { PlugboardError } from '@plugboard/plugin-api';

/**
 * Each zod issue as `<dotted.path>: <message>`, under `prefix`. An unknown key becomes a problem of
 * its own, at its own path, so a typo points at the line to fix.
 *
 * @example
 * issueProblems(result.error.issues, 'plugins.batching') // ['plugins.batching.maxBatchSize: Invalid input: ...']
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${dotted([...path, key])}: Unrecognized key`);
    } else if (issue.code === 'invalid_key') {
      problems.push(`${dotted(path)}: ${issue.issues[0]?.message ?? issue.message}`);
    } else {
      problems.push(`${dotted(path)}: ${issue.message}`);
    }
  }
  return problems;
}

/** `plugins.batching.maxBatchSize`; `(top level)` for the root. */
export function dotted(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/**
 * The one error a config with problems raises: its message lists them all, `details.problems`
 * holds them as an array.
 */
export function configProblemsError(path: string, problems: readonly string[], headline?: string): PlugboardError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const head = headline ?? `has ${count}`;
  return new PlugboardError('configInvalid', `Config file '${path}' ${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
    details: { path, problems: [...problems] },
  });
}
