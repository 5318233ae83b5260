/**
 * The plugin API's compatibility promise: nothing exported disappears without a breaking version
 * bump. exports.json lists every export (values and types); this compares it with what the
 * package exports now.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const recorded = JSON.parse(readFileSync(here('../exports.json'), 'utf8')) as { version: string; values: string[]; types: string[] };
const version = (JSON.parse(readFileSync(here('../package.json'), 'utf8')) as { version: string }).version;

/** Every name the entry exports, types included, as the type checker sees them. */
function exportedNames(): string[] {
  const entry = here('./index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker.getExportsOfModule(module).map((s) => s.name).sort();
}

/**
 * The names of `before` missing from `now`, as a failure message, or '' when that is allowed:
 * nothing is missing, or `current` is a breaking bump over `recordedVersion`.
 */
function removalProblem(before: string[], now: string[], recordedVersion: string, current: string): string {
  const missing = before.filter((name) => !now.includes(name));
  if (missing.length === 0 || !semver.satisfies(current, `^${recordedVersion}`)) return '';
  return (
    `@plugboard/plugin-api ${current} no longer exports ${missing.map((n) => `'${n}'`).join(', ')}, but its version is still in '^${recordedVersion}', ` +
    `so plugins built for it would break. Restore the export, or make a breaking version bump (package.json) and set exports.json's version to it.`
  );
}

describe('@plugboard/plugin-api exports', () => {
  const values = async () => Object.keys(await import('@plugboard/plugin-api')).sort();

  it('still exports every value and type of exports.json unless the version was bumped past its caret range', async () => {
    expect(removalProblem(recorded.values, await values(), recorded.version, version)).toBe('');
    expect(removalProblem([...recorded.values, ...recorded.types], exportedNames(), recorded.version, version)).toBe('');
  });

  it('lists every export in exports.json, values apart from types', async () => {
    const now = await values();
    expect(now, 'a value export is missing from core/plugin-api/exports.json "values"').toEqual([...recorded.values].sort());
    expect(exportedNames().filter((n) => !now.includes(n)), 'a type export is missing from exports.json "types"').toEqual([...recorded.types].sort());
  });

  it('documents every export in docs/plugins.md', () => {
    const docs = readFileSync(here('../../../docs/plugins.md'), 'utf8');
    const undocumented = [...recorded.values, ...recorded.types].filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('tells a removal within the range from one after a breaking bump (0.x minors are breaking)', () => {
    expect(removalProblem(['a', 'b'], ['a'], '0.1.0', '0.1.3')).toBe(
      "@plugboard/plugin-api 0.1.3 no longer exports 'b', but its version is still in '^0.1.0', so plugins built for it would break. Restore the export, or make a breaking version bump (package.json) and set exports.json's version to it.",
    );
    expect(removalProblem(['a', 'b'], ['a'], '0.1.0', '0.2.0')).toBe('');
    expect(removalProblem(['a', 'b'], ['a'], '1.2.0', '1.9.0')).not.toBe('');
    expect(removalProblem(['a', 'b'], ['a'], '1.2.0', '2.0.0')).toBe('');
    expect(removalProblem(['a'], ['a', 'c'], '0.1.0', '0.1.0')).toBe('');
  });
});
