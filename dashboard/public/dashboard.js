// The dashboard's client: renders the panels from the state the server streams, draws the
// charts with uPlot, and sends the operator's actions to the admin API. Every value reaches the
// page as a text node (textContent); nothing from data is ever parsed as HTML. All URLs are
// relative to the page ('.../dashboard'), so it works under any path prefix.
import { CHARTS } from './charts.js';
import { VIEWS } from './views.js';

const body = document.body;
const settings = {
  needsToken: body.dataset.needsToken === 'true',
  locked: body.dataset.locked === 'true',
  adminEnabled: body.dataset.admin === 'true',
  intervalMs: Number(body.dataset.interval) || 1000,
  fleet: body.dataset.fleet === 'true',
  names: (body.dataset.series ?? '').split(','),
};
const TOKEN_KEY = 'plugboard.adminToken';
const HOUR_S = 3600;
const PALETTE = ['#2f7ed8', '#e4572e', '#17a673', '#9b59b6', '#f0a202', '#6c757d'];

// ---- token and messages -------------------------------------------------------------------

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

function say(text, kind = 'error') {
  const el = document.getElementById('message');
  el.textContent = text;
  el.className = `message ${kind}`;
  el.hidden = false;
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('token');
  const value = input.value.trim();
  input.value = '';
  if (value === '') return say('Type the admin token first (server.adminToken in the config).');
  sessionStorage.setItem(TOKEN_KEY, value);
  say('Token kept for this tab only.', 'ok');
  if (settings.locked || settings.needsToken) void start();
});
document.getElementById('token-forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  say('Token forgotten.', 'ok');
});

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json', ...authHeaders() } });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data?.error?.message ?? `${path} answered ${res.status}`);
  return data;
}

// ---- panels -------------------------------------------------------------------------------

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderCell(c) {
  const td = el('td');
  if (typeof c === 'string') td.textContent = c;
  else if (c.action) {
    const b = el('button', c.cls, c.text);
    b.type = 'button';
    b.dataset.action = c.action;
    b.dataset.arg = c.arg;
    td.append(b);
  } else {
    if (c.cls) td.className = c.cls;
    td.textContent = c.text;
  }
  return td;
}

function renderBlock(b) {
  if (b.kind === 'note') return el('p', 'note', b.text);
  if (b.kind === 'unavailable') {
    const div = el('div', 'unavailable');
    div.dataset.plugin = b.plugin;
    div.append(el('p', undefined, b.text));
    const button = el('button', undefined, `Enable ${b.plugin}`);
    button.type = 'button';
    button.dataset.action = 'enable';
    button.dataset.arg = b.plugin;
    div.append(button);
    return div;
  }
  const wrap = el('div', 'table-wrap');
  const table = el('table');
  if (b.id) table.id = b.id;
  table.append(el('caption', undefined, b.caption));
  const head = el('tr');
  for (const c of b.columns) {
    const th = el('th', undefined, c);
    th.scope = 'col';
    head.append(th);
  }
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const tbody = el('tbody');
  if (b.rows.length === 0) {
    const td = el('td', 'empty', b.empty ?? 'Nothing.');
    td.colSpan = b.columns.length;
    const tr = el('tr');
    tr.append(td);
    tbody.append(tr);
  }
  for (const row of b.rows) {
    const tr = el('tr');
    tr.append(...row.map(renderCell));
    tbody.append(tr);
  }
  table.append(tbody);
  wrap.append(table);
  return wrap;
}

function renderSection(name, data) {
  if (name === 'batching') return renderBatching(data);
  if (name === 'routes') renderChartsNote(data);
  const view = VIEWS[name];
  const target = document.querySelector(`[data-section="${name}"]`);
  if (!view || !target) return;
  target.replaceChildren(...view(data).map(renderBlock));
}

function renderBatching(source) {
  const figure = document.querySelector('[data-chart="batch"]');
  if (!figure) return;
  figure.querySelector('.unavailable')?.remove();
  if (!source.available) figure.querySelector('figcaption').after(renderBlock({ kind: 'unavailable', text: source.reason, plugin: source.plugin }));
}

/** The charts come from the metrics plugin, as the routes do: when it is off, the charts panel says so. */
function renderChartsNote(source) {
  const panel = document.getElementById('panel-charts');
  const note = panel.querySelector(':scope > .unavailable');
  if (source.available) return note?.remove();
  const block = renderBlock({ kind: 'unavailable', text: source.reason.replace(/^No route figures/, 'No charts'), plugin: source.plugin });
  if (note) note.replaceWith(block);
  else panel.querySelector('h2').after(block);
}

function applyState(sections) {
  for (const [name, data] of Object.entries(sections)) renderSection(name, data);
}

// ---- charts -------------------------------------------------------------------------------

const charts = new Map(); // id -> { plot, def, data }
let history = { t: [], series: settings.names.map(() => []) };

function cssVar(name) {
  return getComputedStyle(body).getPropertyValue(name).trim() || '#888';
}

function format(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (unit === 'bytes') return `${Number((value / 1e6).toPrecision(3))} MB`;
  if (unit === 'ratio') return `${Number((value * 100).toPrecision(3))} %`;
  return `${Number(value.toPrecision(3))}${unit ? ` ${unit}` : ''}`;
}

/** Y-axis labels in the chart's unit: MB for bytes, percent for ratios. */
function axisValues(unit) {
  if (unit === 'bytes') return (u, splits) => splits.map((v) => (Math.abs(v) >= 1e9 ? `${Number((v / 1e9).toPrecision(3))} GB` : `${Number((v / 1e6).toPrecision(3))} MB`));
  if (unit === 'ratio') return (u, splits) => splits.map((v) => `${Number((v * 100).toPrecision(3))}%`);
  return undefined;
}

function plotOptions(title, series, width) {
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
  const values = axisValues(series[0]?.unit);
  return {
    width,
    height: 160,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: 64, ...(values ? { values } : {}) }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }))],
  };
}

function chartData(def) {
  const t = history.t.map((ms) => ms / 1000);
  return [t, ...def.series.map((s) => history.series[settings.names.indexOf(s.name)] ?? t.map(() => null))];
}

function drawCharts() {
  for (const def of CHARTS) {
    const figure = document.querySelector(`[data-chart="${def.id}"]`);
    const target = figure?.querySelector('.plot');
    if (!target) continue;
    const data = chartData(def);
    const existing = charts.get(def.id);
    if (existing) {
      existing.plot.setData(data);
    } else {
      target.replaceChildren();
      const plot = new window.uPlot(plotOptions(def.title, def.series, target.clientWidth || 300), data, target);
      charts.set(def.id, { plot, def, target });
      figure.dataset.drawn = 'true';
      if (performance.getEntriesByName('first-chart').length === 0) performance.mark('first-chart');
    }
    figure.dataset.points = String(data[0].length);
    figure.dataset.last = String(data[0].at(-1) ?? '');
    for (const s of def.series) {
      const dd = figure.querySelector(`[data-series="${s.name}"]`);
      const values = history.series[settings.names.indexOf(s.name)] ?? [];
      if (dd) dd.textContent = format(values.at(-1), s.unit);
    }
  }
}

function addSamples(ts, columns) {
  for (let i = 0; i < ts.length; i += 1) {
    if (history.t.length > 0 && ts[i] <= history.t.at(-1)) continue;
    history.t.push(ts[i]);
    settings.names.forEach((_, s) => history.series[s].push(columns ? (columns[s]?.[i] ?? null) : null));
  }
  const cut = (history.t.at(-1) ?? 0) - HOUR_S * 1000;
  let drop = 0;
  while (drop < history.t.length && history.t[drop] < cut) drop += 1;
  if (drop > 0) {
    history.t.splice(0, drop);
    for (const s of history.series) s.splice(0, drop);
  }
}

window.addEventListener('resize', () => {
  for (const { plot, target } of charts.values()) plot.setSize({ width: target.clientWidth || 300, height: 160 });
});

async function loadHistory() {
  const h = await getJson('dashboard/api/history');
  settings.names = h.names;
  history = { t: [...h.t], series: h.names.map((_, i) => (h.series ? [...h.series[i]] : h.t.map(() => null))) };
  drawCharts();
}

// ---- stream -------------------------------------------------------------------------------

let lastEventId = '';
const conn = document.getElementById('conn');
function status(text, cls) {
  conn.textContent = text;
  conn.className = `conn ${cls}`;
}

function onEvent(type, data, id) {
  if (id) lastEventId = id;
  const payload = JSON.parse(data);
  if (type === 'state') handleState(payload);
  else if (type === 'tick') {
    if (payload.v !== null) {
      addSamples([payload.t], payload.v.map((v) => [v]));
      drawCharts();
    }
    body.dataset.lastTick = String(payload.t);
  } else if (type === 'catchup') {
    addSamples(payload.t, payload.v);
    drawCharts();
  }
}

function streamUrl() {
  return lastEventId ? `dashboard/stream?lastEventId=${encodeURIComponent(lastEventId)}` : 'dashboard/stream';
}

/** EventSource, reopened after the server answered something other than a stream (a restart). */
function openEventSource() {
  const source = new EventSource(streamUrl());
  for (const type of ['state', 'tick', 'catchup']) source.addEventListener(type, (e) => onEvent(type, e.data, e.lastEventId));
  source.addEventListener('open', () => status('live', 'live'));
  source.addEventListener('error', () => {
    status('reconnecting…', 'down');
    if (source.readyState === EventSource.CLOSED) setTimeout(openEventSource, 1000);
  });
}

/** The same protocol over fetch, for when the stream needs the bearer header EventSource cannot send. */
async function openFetchStream() {
  for (;;) {
    try {
      const res = await fetch('dashboard/stream', {
        headers: { Accept: 'text/event-stream', ...authHeaders(), ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
      });
      if (res.status === 401 || res.status === 403) {
        const data = await res.json().catch(() => ({}));
        status('locked', 'down');
        return say(data?.error?.message ?? 'The dashboard needs the admin token.');
      }
      if (!res.ok || !res.body) throw new Error(String(res.status));
      status('live', 'live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const chunk = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          let id = '';
          const data = [];
          for (const line of chunk.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0) onEvent(type, data.join('\n'), id);
        }
      }
    } catch {
      // The server went away: try again below.
    }
    status('reconnecting…', 'down');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ---- actions ------------------------------------------------------------------------------

async function admin(method, path, payload) {
  if (!token()) {
    say(`This action needs the admin token: type it in the field at the top (it is kept in this tab only).`);
    return undefined;
  }
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(), ...(payload ? { 'Content-Type': 'application/json' } : {}) },
    ...(payload ? { body: JSON.stringify(payload) } : {}),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    say(data?.error?.message ?? `${method} ${path} answered ${res.status}.`);
    return undefined;
  }
  return data;
}

let alertsById = new Map();
// Keep the alerts at hand: a silence is made from an alert's labels.
function rememberAlerts(sections) {
  if (sections.alerts?.available) alertsById = new Map(sections.alerts.value.alerts.map((a) => [a.id, a]));
}

async function act(action, arg) {
  if (action === 'enable' || action === 'disable') {
    const report = await admin('POST', `admin/plugins/${encodeURIComponent(arg)}/${action}`);
    if (report) {
      const failed = report.failed?.map((f) => `${f.plugin}: ${f.error ?? f.message ?? ''}`).join('; ');
      say(failed ? `${action} ${arg}: ${failed}` : `${action === 'enable' ? 'Enabled' : 'Disabled'} '${arg}'.`, failed ? 'error' : 'ok');
    }
  } else if (action === 'silence') {
    const alert = alertsById.get(arg);
    if (!alert) return say('That alert is gone.');
    const matchers = Object.entries(alert.labels).map(([name, value]) => ({ name, value }));
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    if (await admin('POST', 'admin/silences', { matchers, endsAt, createdBy: 'dashboard', comment: 'Silenced for an hour from the dashboard' })) {
      say(`Silenced '${alert.rule}' for an hour.`, 'ok');
    }
  } else if (action === 'unsilence') {
    if (await admin('DELETE', `admin/silences/${encodeURIComponent(arg)}`)) say('Silence removed.', 'ok');
  } else if (action === 'trace') {
    await showTrace(arg);
  }
  if (action !== 'trace' && token()) {
    const state = await getJson('dashboard/api/state').catch(() => undefined);
    if (state) handleState(state);
  }
}

document.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target.closest('[data-action]') : null;
  if (!target) return;
  e.preventDefault();
  act(target.dataset.action, target.dataset.arg).catch((err) => say(String(err.message ?? err)));
});

function handleState(sections) {
  rememberAlerts(sections);
  applyState(sections);
}

async function showTrace(id) {
  const trace = await getJson(`dashboard/api/traces/${encodeURIComponent(id)}`);
  const panel = document.getElementById('panel-waterfall');
  const box = document.getElementById('waterfall');
  panel.hidden = false;
  const rows = [el('p', 'note', `${trace.name}: ${trace.durationMs.toFixed(1)} ms, ${trace.spans.length} spans (trace ${trace.traceId})`)];
  const total = Math.max(trace.durationMs, ...trace.spans.map((s) => s.startOffsetMs + s.durationMs), 0.001);
  const depth = new Map();
  for (const s of trace.spans) depth.set(s.spanId, s.parentSpanId && depth.has(s.parentSpanId) ? depth.get(s.parentSpanId) + 1 : 0);
  for (const s of trace.spans) {
    const row = el('div', 'span-row');
    const label = el('span', `span-name${s.status === 'error' ? ' bad' : ''}`, `${'· '.repeat(depth.get(s.spanId) ?? 0)}${s.name} (${s.durationMs.toFixed(1)} ms)`);
    const lane = el('span', 'span-lane');
    const bar = el('span', `span-bar kind-${s.kind}${s.status === 'error' ? ' bad' : ''}`);
    // CSSOM properties, not a style attribute: the CSP allows these.
    bar.style.left = `${(100 * s.startOffsetMs) / total}%`;
    bar.style.width = `${Math.max(0.5, (100 * s.durationMs) / total)}%`;
    bar.title = Object.entries(s.attributes).map(([k, v]) => `${k}=${v}`).join('\n');
    lane.append(bar);
    row.append(label, lane);
    rows.push(row);
  }
  box.replaceChildren(...rows);
  panel.scrollIntoView({ block: 'nearest' });
}

// ---- fleet --------------------------------------------------------------------------------

const fleetCharts = new Map();
async function loadFleet() {
  const note = document.getElementById('fleet-note');
  const box = document.getElementById('fleet-charts');
  try {
    const { charts: list } = await getJson('dashboard/api/fleet');
    const errors = list.filter((c) => c.error).map((c) => c.error);
    note.textContent = errors.length > 0 ? errors.join(' ') : `${new Set(list.flatMap((c) => c.series.map((s) => s.instance))).size} instances, from Prometheus.`;
    for (const c of list) {
      let entry = fleetCharts.get(c.id);
      const series = c.series.map((s) => ({ label: s.instance, unit: c.unit }));
      const data = [c.t, ...c.series.map((s) => s.values)];
      if (entry && entry.count !== c.series.length) {
        entry.plot.destroy();
        entry.figure.remove();
        entry = undefined;
      }
      if (!entry) {
        const figure = el('figure', 'chart');
        figure.dataset.chart = c.id;
        figure.append(el('figcaption', undefined, c.title));
        const target = el('div', 'plot');
        const legend = el('dl', 'now');
        figure.append(target, legend);
        box.append(figure);
        const plot = new window.uPlot(plotOptions(c.title, series, target.clientWidth || 300), data, target);
        entry = { plot, figure, legend, count: c.series.length };
        fleetCharts.set(c.id, entry);
      } else entry.plot.setData(data);
      entry.figure.dataset.instances = String(c.series.length);
      entry.legend.replaceChildren(
        ...c.series.map((s) => {
          const d = el('div');
          d.append(el('dt', undefined, s.instance), el('dd', undefined, format(s.values.filter((v) => v !== null).at(-1), c.unit)));
          return d;
        }),
      );
    }
  } catch (err) {
    note.textContent = String(err.message ?? err);
  }
}

// ---- start --------------------------------------------------------------------------------

let started = false;
async function start() {
  if (settings.needsToken && !token()) {
    status('locked', 'down');
    return say('This dashboard is reachable beyond this machine, so it needs the admin token: type it at the top.', 'info');
  }
  if (started) return;
  started = true;
  try {
    if (settings.needsToken || settings.locked) handleState(await getJson('dashboard/api/state'));
    await loadHistory();
  } catch (err) {
    started = false;
    status('locked', 'down');
    return say(String(err.message ?? err));
  }
  body.dataset.locked = 'false';
  if (settings.needsToken) void openFetchStream();
  else openEventSource();
  if (settings.fleet) {
    void loadFleet();
    setInterval(loadFleet, 15_000);
  }
}

function waitForUPlot() {
  if (window.uPlot) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
}
waitForUPlot().then(start, (err) => say(String(err)));
