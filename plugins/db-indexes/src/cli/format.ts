import type { DbReport } from '../contract.js';
import type { AnalyzeComparison } from '../DbIndexes.js';

/** Rows as aligned columns for a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)} ms`);

function sections(report: DbReport): { title: string; header: string[]; rows: string[][] }[] {
  return [
    {
      title: 'Indexes',
      header: ['index', 'table', 'state', 'size', 'scans', 'serves'],
      rows: report.indexes.map((s) => [
        s.declaration.name, s.declaration.table, s.state, s.sizeBytes === undefined ? '-' : String(s.sizeBytes), s.scans === undefined ? '-' : String(s.scans), s.declaration.serves,
      ]),
    },
    {
      title: 'Builds running',
      header: ['index', 'phase', 'blocks', 'tuples', 'started'],
      rows: report.builds.map((b) => [b.index, b.phase, `${b.blocksDone}/${b.blocksTotal}`, `${b.tuplesDone}/${b.tuplesTotal}`, b.startedAt]),
    },
    {
      title: 'Queries',
      header: ['query', 'time', 'index used', 'plan'],
      rows: (report.queries ?? []).map((q) => [q.name, q.error ? 'error' : ms(q.timeMs), q.indexes.join(', ') || '-', q.error ?? q.shape ?? '']),
    },
    {
      title: 'Tables',
      header: ['table', 'live', 'dead', 'last vacuum', 'last analyze', 'autovacuum'],
      rows: (report.tables ?? []).map((t) => [
        t.table, String(t.liveTuples), `${t.deadTuples} (${(t.deadRatio * 100).toFixed(1)}%)`, t.lastVacuum ?? t.lastAutovacuum ?? 'never', t.lastAnalyze ?? t.lastAutoanalyze ?? 'never', t.autovacuum ? 'on' : 'off',
      ]),
    },
    {
      title: 'Findings',
      header: ['severity', 'kind', 'subject', 'what', 'what to do'],
      rows: report.findings.map((f) => [f.severity, f.kind, f.subject, f.message, f.advice]),
    },
  ];
}

/** The report as text tables for a terminal. */
export function reportText(report: DbReport): string {
  const parts = [`Database report, ${report.generatedAt}`];
  for (const s of sections(report)) parts.push(`\n${s.title}\n${s.rows.length === 0 ? '(none)' : table(s.header, s.rows)}`);
  return `${parts.join('\n')}\n`;
}

/** The report as Markdown. */
export function reportMarkdown(report: DbReport): string {
  const parts = [`# Database report\n\nMade ${report.generatedAt}.`];
  for (const s of sections(report)) parts.push(`## ${s.title}\n\n${s.rows.length === 0 ? '(none)' : markdownTable(s.header, s.rows)}`);
  return `${parts.join('\n\n')}\n`;
}

/** `db analyze` output: each query before and after. */
export function comparisonText(comparisons: readonly AnalyzeComparison[]): string {
  return `${table(
    ['query', 'before', 'after', 'index before', 'index after', 'plan after'],
    comparisons.map((c) => [c.name, ms(c.before.timeMs), ms(c.after.timeMs), c.before.indexes.join(', ') || '-', c.after.indexes.join(', ') || '-', c.after.error ?? c.after.shape ?? '']),
  )}\n`;
}
