/**
 * Every ```ts sample of docs/plugins.md compiles against the packages as they are: each block is
 * typechecked as a module of its own, with the settings a plugin's own tsconfig has (the
 * examples' tsconfig), as if it were a file in docs/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('./quotas/tsconfig.json', import.meta.url));

/** The ```ts blocks of a markdown file, with the line each starts on. */
function samples(markdown: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```ts\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end += 1;
    found.push({ line: start + 1, code: lines.slice(start, end).map((l) => l.slice(indent)).join('\n') });
    i = end;
  }
  return found;
}

function compile(files: Map<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(TSCONFIG, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile(name, version, onError, create) : ts.createSourceFile(name, text, version);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

it('compiles every TypeScript sample of docs/plugins.md', () => {
  const found = samples(readFileSync(`${DOCS}plugins.md`, 'utf8'));
  expect(found.length).toBeGreaterThan(15);
  // Named for the line the block starts on, so a failure points into the markdown.
  const files = new Map(found.map((s) => [`${DOCS}plugins.md.line-${s.line}.ts`, s.code]));
  expect(compile(files)).toEqual([]);
}, 120_000);

it("compiles core/README.md's plugin and test samples", () => {
  const readme = fileURLToPath(new URL('../core/README.md', import.meta.url));
  const whole = samples(readFileSync(readme, 'utf8')).filter((s) => /^import /m.test(s.code));
  // The plugin sample, the test sample and the metrics collector sample, each compiled whole.
  expect(whole.map((s) => ['definePlugin', 'startTestKernel', 'startTimer'].find((word) => s.code.includes(word)))).toEqual([
    'definePlugin',
    'startTestKernel',
    'startTimer',
  ]);
  expect(compile(new Map(whole.map((s) => [`${readme}.line-${s.line}.ts`, s.code])))).toEqual([]);
}, 120_000);

it('reports a sample that does not compile, at its line', () => {
  const bad = samples('text\n\n```ts\nimport { definePlugin } from \'@plugboard/plugin-api\';\nexport default definePlugin({ name: 1 });\n```\n');
  const problems = compile(new Map([[`${DOCS}bad.md.line-${bad[0]!.line}.ts`, bad[0]!.code]]));
  expect(problems.length).toBeGreaterThan(0);
  expect(problems[0]).toContain('bad.md.line-4.ts:2');
});

it('shows the harness with a test that runs: the sample is examples/quotas/src/harness.test.ts', () => {
  const test = readFileSync(fileURLToPath(new URL('./quotas/src/harness.test.ts', import.meta.url)), 'utf8');
  expect(samples(readFileSync(`${DOCS}plugins.md`, 'utf8')).map((s) => `${s.code}\n`)).toContain(test);
});

it("runs core/README.md's test sample as examples/core-readme.int.test.ts", () => {
  const test = readFileSync(fileURLToPath(new URL('./core-readme.int.test.ts', import.meta.url)), 'utf8');
  const readme = readFileSync(fileURLToPath(new URL('../core/README.md', import.meta.url)), 'utf8');
  expect(samples(readme).map((s) => `${s.code}\n`)).toContain(test.slice(test.indexOf('\n') + 1));
});
