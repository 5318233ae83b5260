/**
 * The server-rendered page. Every value goes through hono/html's escaping (`${...}` in `html`),
 * so a plugin description or an alert annotation holding markup is shown as text. The page
 * carries no inline script or style: its settings are data attributes that the client script
 * reads, so the CSP can forbid inline code.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { MAIN_SERIES, type MetricsOverview } from '@plugboard/plugin-metrics';
import { VIEWS, type Block, type Cell } from '../public/views.js';
import type { DashboardState, SectionName } from './state.js';
import { CHARTS } from './charts.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function renderCell(c: Cell): Html {
  if (typeof c === 'string') return html`<td>${c}</td>`;
  if ('action' in c) {
    return html`<td><button type="button" class="${c.cls ?? ''}" data-action="${c.action}" data-arg="${c.arg}">${c.text}</button></td>`;
  }
  return html`<td class="${c.cls ?? ''}">${c.text}</td>`;
}

/** One block of a panel: a table, a note, or what to do when the panel's plugin is off. */
export function renderBlock(b: Block): Html {
  if (b.kind === 'note') return html`<p class="note">${b.text}</p>`;
  if (b.kind === 'unavailable') {
    return html`<div class="unavailable" data-plugin="${b.plugin}"><p>${b.text}</p><button type="button" data-action="enable" data-arg="${b.plugin}">Enable ${b.plugin}</button></div>`;
  }
  const body =
    b.rows.length === 0
      ? html`<tr><td class="empty" colspan="${b.columns.length}">${b.empty ?? 'Nothing.'}</td></tr>`
      : b.rows.map((row) => html`<tr>${row.map(renderCell)}</tr>`);
  return html`<div class="table-wrap"><table${b.id ? html` id="${b.id}"` : ''}><caption>${b.caption}</caption><thead><tr>${b.columns.map(
    (c) => html`<th scope="col">${c}</th>`,
  )}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function panel(id: SectionName, title: string, state: DashboardState | undefined): Html {
  const view = VIEWS[id as keyof typeof VIEWS] as ((s: unknown) => Block[]) | undefined;
  const blocks = state === undefined || view === undefined ? [] : view(state[id]);
  return html`<section class="panel" id="panel-${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${title}</h2><div class="body" data-section="${id}">${
    state === undefined ? html`<p class="note">Enter the admin token above to see this panel.</p>` : blocks.map(renderBlock)
  }</div></section>`;
}

function chart(id: string, overview: MetricsOverview | undefined, state: DashboardState | undefined): Html {
  const def = CHARTS.find((c) => c.id === id)!;
  const batchOff = id === 'batch' && state !== undefined && !state.batching.available ? state.batching : undefined;
  return html`<figure class="chart" data-chart="${id}"><figcaption>${def.title}</figcaption>${
    batchOff ? renderBlock({ kind: 'unavailable', text: batchOff.reason, plugin: batchOff.plugin }) : ''
  }<div class="plot" role="img" aria-label="${def.title}, last hour"></div><dl class="now">${def.series.map(
    (s) => html`<div><dt>${s.label}</dt><dd data-series="${s.name}">${overview ? format(overview.current[s.name], s.unit) : '–'}</dd></div>`,
  )}</dl></figure>`;
}

/** A value with its unit, for the text under each chart. */
export function format(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (unit === 'bytes') {
    const mb = value / 1e6;
    return `${Number(mb.toPrecision(3))} MB`;
  }
  if (unit === 'ratio') return `${Number((value * 100).toPrecision(3))} %`;
  return `${Number(value.toPrecision(3))}${unit ? ` ${unit}` : ''}`;
}

export interface PageOptions {
  /** Undefined when the page is locked: the tab must give the admin token first. */
  state: DashboardState | undefined;
  overview: MetricsOverview | undefined;
  metricsOff: string | undefined;
  needsToken: boolean;
  adminEnabled: boolean;
  intervalMs: number;
  fleet: boolean;
  /** Changes with the assets' content, so a new version is never served from a stale cache. */
  assetVersion: string;
}

/**
 * The whole page. Asset and API URLs are relative (`dashboard/assets/...`, `dashboard/stream`),
 * so it works under any path prefix a reverse proxy adds, as long as the page is `.../dashboard`.
 */
export function renderPage(o: PageOptions): Html {
  const v = o.assetVersion;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Plugboard dashboard</title>
<link rel="icon" href="dashboard/assets/favicon.svg?v=${v}" type="image/svg+xml">
<link rel="stylesheet" href="dashboard/assets/uPlot.min.css?v=${v}">
<link rel="stylesheet" href="dashboard/assets/dashboard.css?v=${v}">
<script src="dashboard/assets/uPlot.iife.min.js?v=${v}" defer></script>
<script type="module" src="dashboard/assets/dashboard.js?v=${v}"></script>
</head>
<body data-needs-token="${String(o.needsToken)}" data-locked="${String(o.state === undefined)}" data-admin="${String(o.adminEnabled)}" data-interval="${o.intervalMs}" data-fleet="${String(o.fleet)}" data-series="${MAIN_SERIES.join(',')}">
<header class="top">
  <h1>Plugboard</h1>
  <span id="conn" class="conn" role="status">${o.state === undefined ? 'locked' : 'static view'}</span>
  <form id="token-form" class="token" autocomplete="off">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" placeholder="${o.adminEnabled ? 'needed for actions' : 'admin API is off'}" spellcheck="false">
    <button type="submit">Use</button>
    <button type="button" id="token-forget">Forget</button>
  </form>
</header>
<p id="message" class="message" role="alert" hidden></p>
<noscript><p class="note">Without JavaScript this page shows the state at the time it was served; charts, live updates and actions need JavaScript.</p></noscript>
<main>
<section class="panel wide" id="panel-charts" aria-labelledby="h-charts"><h2 id="h-charts">Last hour</h2>
${o.metricsOff ? html`<div class="unavailable" data-plugin="metrics"><p>${o.metricsOff}</p><button type="button" data-action="enable" data-arg="metrics">Enable metrics</button></div>` : ''}
<div class="charts">${CHARTS.map((c) => chart(c.id, o.overview, o.state))}</div>
</section>
${panel('alerts', 'Alerts', o.state)}
${panel('routes', 'Routes', o.state)}
${panel('models', 'AI models', o.state)}
${panel('plugins', 'Plugins', o.state)}
${panel('services', 'Services', o.state)}
${panel('tasks', 'Tasks', o.state)}
${panel('report', 'Database report', o.state)}
${panel('traces', 'Traces', o.state)}
<section class="panel wide" id="panel-waterfall" hidden aria-labelledby="h-waterfall"><h2 id="h-waterfall">Trace</h2><div id="waterfall"></div></section>
${o.fleet ? html`<section class="panel wide" id="panel-fleet" aria-labelledby="h-fleet"><h2 id="h-fleet">Fleet (Prometheus)</h2><p class="note" id="fleet-note">Loading from Prometheus…</p><div class="charts" id="fleet-charts"></div></section>` : ''}
</main>
</body>
</html>`;
}
