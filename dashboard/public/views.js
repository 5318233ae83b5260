// Panel views: the dashboard state (see src/state.ts) turned into tables of plain text. The
// server renders them as escaped HTML (src/page.ts), the browser as DOM text nodes
// (dashboard.js): one description of each panel, and no path by which data becomes markup.

/** '2026-12-02 01:58:39' from an ISO time or ms; '' when absent. */
export function when(value) {
  if (value === undefined || value === null || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** '1.23 s', '45.6 ms', '' when absent. */
export function ms(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '';
  if (value >= 3_600_000) return `${Number((value / 3_600_000).toPrecision(3))} h`;
  if (value >= 60_000) return `${Number((value / 60_000).toPrecision(3))} min`;
  if (value >= 1000) return `${Number((value / 1000).toPrecision(3))} s`;
  return `${Number(value.toPrecision(3))} ms`;
}

/** '1.5 kB', '12 MB'. */
export function bytes(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${Number(v.toPrecision(3))} ${units[i]}`;
}

export function num(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '';
  return String(Number(value.toPrecision(4)));
}

const cell = (text, cls) => (cls ? { text: String(text ?? ''), cls } : String(text ?? ''));
const button = (text, action, arg, cls) => ({ text, action, arg, cls });

function unavailable(source) {
  return [{ kind: 'unavailable', text: source.reason, plugin: source.plugin }];
}

/** @returns the blocks of the plugins panel */
export function pluginsView(plugins) {
  return [
    {
      kind: 'table',
      caption: 'Plugins',
      columns: ['plugin', 'version', 'state', 'depends on', 'provides', 'description', ''],
      rows: plugins.map((p) => [
        cell(p.name, 'name'),
        p.version,
        cell(p.error ? `${p.state}: ${p.error}` : p.state, `state state-${p.state}`),
        [...new Set(p.dependencies.map((d) => d.plugin))].join(', '),
        p.provides.join(', '),
        p.description,
        p.state === 'started' || p.state === 'starting'
          ? button('Disable', 'disable', p.name)
          : button('Enable', 'enable', p.name),
      ]),
    },
  ];
}

export function servicesView(services) {
  const blocks = [
    {
      kind: 'table',
      caption: 'Services and their providers, best first',
      columns: ['service', 'current provider', 'others', 'in flight'],
      rows: services.services.map((s) => [
        cell(s.id, 'name'),
        cell(s.providers[0] ? `${s.providers[0].owner} (ranking ${s.providers[0].ranking})` : 'none', s.providers[0] ? '' : 'muted'),
        s.providers.slice(1).map((p) => `${p.owner} (${p.ranking})`).join(', '),
        String(s.providers.reduce((n, p) => n + p.inFlight, 0)),
      ]),
    },
  ];
  blocks.push({
    kind: 'table',
    caption: 'Recent swaps',
    empty: 'No provider changed since the dashboard started.',
    columns: ['when', 'service', 'change'],
    rows: services.swaps.map((w) => [
      when(w.time),
      cell(w.refId, 'name'),
      w.type === 'unregistering' ? `${w.from} withdrawn` : `${w.from ?? 'none'} → ${w.to ?? 'none'}`,
    ]),
  });
  return blocks;
}

export function tasksView(tasks) {
  return [
    {
      kind: 'table',
      caption: 'Background tasks',
      empty: 'No background task is scheduled.',
      columns: ['task', 'every', 'runs', 'last run', 'took', 'outcome', 'next run'],
      rows: tasks.map((t) => [
        cell(t.id, 'name'),
        ms(t.everyMs),
        String(t.runs),
        t.running ? cell('running', 'state-starting') : when(t.lastStartedAt),
        ms(t.lastDurationMs),
        cell(t.lastError ? `${t.lastOutcome}: ${t.lastError}` : (t.lastOutcome ?? ''), t.lastOutcome && t.lastOutcome !== 'ok' ? 'bad' : 'good'),
        when(t.nextRunAt),
      ]),
    },
  ];
}

function labelsText(labels) {
  return Object.entries(labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function alertsView(source) {
  if (!source.available) return unavailable(source);
  const { alerts, rules, silences } = source.value;
  const active = alerts.filter((a) => a.state === 'pending' || a.state === 'firing');
  const resolved = alerts.filter((a) => a.state === 'resolved');
  return [
    {
      kind: 'table',
      caption: 'Firing and pending',
      empty: 'No alert is firing or pending.',
      id: 'alerts-active',
      columns: ['state', 'alert', 'severity', 'labels', 'value', 'since', 'summary', ''],
      rows: active.map((a) => [
        cell(a.muted ? `${a.state} (silenced)` : a.state, `state state-${a.state}`),
        cell(a.rule, 'name'),
        cell(a.severity, `sev sev-${a.severity}`),
        labelsText(a.labels),
        num(a.value),
        when(a.firedAt ?? a.activeAt),
        a.annotations.summary ?? a.annotations.description ?? '',
        button('Silence 1 h', 'silence', a.id),
      ]),
    },
    {
      kind: 'table',
      caption: 'Recently resolved',
      empty: 'Nothing resolved recently.',
      columns: ['alert', 'labels', 'value', 'fired', 'resolved'],
      rows: resolved.map((a) => [cell(a.rule, 'name'), labelsText(a.labels), num(a.value), when(a.firedAt ?? a.activeAt), when(a.resolvedAt)]),
    },
    {
      kind: 'table',
      caption: 'Silences in force',
      empty: 'No silence.',
      columns: ['matchers', 'until', 'by', 'comment', ''],
      // Expired silences stay listed by the engine (as in Alertmanager); only those in force are shown.
      rows: silences.filter((s) => Date.parse(s.endsAt) > Date.now()).map((s) => [
        s.matchers.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '~' : '='}${m.value}`).join(', '),
        when(s.endsAt),
        s.createdBy,
        s.comment,
        button('Remove', 'unsilence', s.id),
      ]),
    },
    {
      kind: 'table',
      caption: 'Rules',
      columns: ['rule', 'health', 'expression', 'for', 'active', 'last evaluation'],
      rows: rules.map((r) => [
        cell(r.name, 'name'),
        cell(r.lastError ? `${r.health}: ${r.lastError}` : r.health, r.health === 'ok' ? 'good' : 'bad'),
        cell(r.expression, 'code'),
        r.for,
        String(r.active),
        when(r.lastEvaluation),
      ]),
    },
  ];
}

export function reportView(source) {
  if (!source.available) return unavailable(source);
  const report = source.value;
  if (report === null) return [{ kind: 'note', text: 'No report yet: the db-indexes plugin makes one on its schedule, or run plugboard db report.' }];
  return [
    { kind: 'note', text: `Report of ${when(report.generatedAt)}.` },
    {
      kind: 'table',
      caption: 'Findings and advice',
      empty: 'Nothing to report: the database looks healthy.',
      columns: ['severity', 'kind', 'about', 'finding', 'advice'],
      rows: report.findings.map((f) => [cell(f.severity, `sev sev-${f.severity}`), f.kind, cell(f.subject, 'name'), f.message, f.advice]),
    },
    {
      kind: 'table',
      caption: 'Indexes',
      columns: ['index', 'table', 'state', 'size', 'scans', 'serves'],
      rows: report.indexes.map((i) => [
        cell(i.declaration.name, 'name'),
        i.declaration.table,
        cell(i.state, i.state === 'valid' ? 'good' : 'bad'),
        bytes(i.sizeBytes),
        i.scans === undefined ? '' : String(i.scans),
        i.declaration.serves,
      ]),
    },
    ...(report.builds.length > 0
      ? [
          {
            kind: 'table',
            caption: 'Index builds running',
            columns: ['index', 'phase', 'blocks', 'tuples', 'since'],
            rows: report.builds.map((b) => [b.index, b.phase, `${b.blocksDone}/${b.blocksTotal}`, `${b.tuplesDone}/${b.tuplesTotal}`, when(b.startedAt)]),
          },
        ]
      : []),
  ];
}

export function routesView(source) {
  if (!source.available) return unavailable(source);
  const row = (r) => [cell(`${r.method} ${r.route}`, 'name'), r.plugin ?? '', String(r.requests), String(r.errors), ms(r.p50Ms), ms(r.p95Ms), ms(r.p99Ms)];
  const columns = ['route', 'plugin', 'requests', 'errors', 'p50', 'p95', 'p99'];
  return [
    { kind: 'table', caption: 'Slowest routes (p95)', empty: 'No request yet.', columns, rows: source.value.slowest.map(row) },
    { kind: 'table', caption: 'Most failing routes', empty: 'No request failed.', columns, rows: source.value.failing.map(row) },
  ];
}

export function tracesView(source) {
  if (!source.available) return unavailable(source);
  const row = (t) => [
    button(t.name, 'trace', t.traceId, t.error ? 'link bad' : 'link'),
    when(t.startTime),
    ms(t.durationMs),
    String(t.spanCount),
    cell(t.error ? 'error' : 'ok', t.error ? 'bad' : 'good'),
  ];
  const columns = ['trace', 'started', 'took', 'spans', 'status'];
  return [
    { kind: 'table', caption: 'Recent traces', empty: 'No trace finished yet.', columns, rows: source.value.recent.map(row) },
    { kind: 'table', caption: 'Slowest traces', empty: 'No trace finished yet.', columns, rows: source.value.slow.map(row) },
  ];
}

export function modelsView(source) {
  if (!source.available) return unavailable(source);
  if (source.value === null) return [{ kind: 'note', text: 'Not read yet.' }];
  return [
    {
      kind: 'table',
      caption: `Conversations per AI model since ${when(source.value.since)}`,
      empty: 'No conversation in the last hour.',
      columns: ['AI model', 'conversations', 'tokens'],
      rows: source.value.models.map((m) => [cell(m.aiModel, 'name'), String(m.conversations), String(m.totalTokens)]),
    },
  ];
}

/** The blocks of each section, by the id of its panel. */
export const VIEWS = {
  plugins: pluginsView,
  services: servicesView,
  tasks: tasksView,
  alerts: alertsView,
  report: reportView,
  routes: routesView,
  traces: tracesView,
  models: modelsView,
};
