/**
 * `/dashboard/stream`: server-sent events, one connection per tab. The first event is the whole
 * state; then, every interval, a `tick` with the newest sample of each main series (its `id:` is
 * the sample's time, so a reconnecting EventSource sends it back as Last-Event-ID and gets a
 * `catchup` of the samples it missed) and a `state` event with only the sections that changed.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { MAIN_SERIES, type MetricsOverview } from '@plugboard/plugin-metrics';
import type { SectionName } from './state.js';
import { round, type HubFrame, type StreamHub } from './StreamHub.js';

export interface StreamOptions {
  hub: StreamHub;
  overview: () => MetricsOverview | undefined;
  /** Aborted when the plugin stops: every stream ends then. */
  signal: AbortSignal;
  /** Most tabs streaming at once; more answer 503. */
  maxStreams: number;
  /** What EventSource waits before reconnecting, in ms. */
  retryMs: number;
}

function sectionsJson(sections: Partial<Record<SectionName, string>>): string {
  return `{${Object.entries(sections)
    .map(([name, json]) => `${JSON.stringify(name)}:${json}`)
    .join(',')}}`;
}

/** The samples newer than `after`, as columns in MAIN_SERIES order. */
export function catchUp(overview: MetricsOverview, after: number): { t: number[]; v: (number | null)[][] } | undefined {
  const { t } = overview.history;
  let first = t.length;
  while (first > 0 && t[first - 1]! > after) first -= 1;
  if (first === t.length) return undefined;
  return {
    t: t.slice(first),
    v: MAIN_SERIES.map((name) => overview.history.series[name].slice(first).map(round)),
  };
}

/**
 * @example
 * app.get('/dashboard/stream', (c) => serveStream(c, { hub, overview, signal: ctx.signal, maxStreams: 100, retryMs: 1000 }));
 */
export function serveStream(c: Context, o: StreamOptions): Response {
  if (o.hub.subscribers >= o.maxStreams) {
    c.header('Retry-After', '5');
    return c.json({ error: { code: 'too_many_streams', message: `The dashboard already streams to ${o.maxStreams} tabs; close one and reload.` } }, 503);
  }
  const lastId = Number(c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? Number.NaN);
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const sent = o.hub.fullSections();
    await stream.writeSSE({ event: 'state', data: sectionsJson(sent), retry: o.retryMs });
    let lastTick = Number.isFinite(lastId) ? lastId : Number.NEGATIVE_INFINITY;
    const overview = o.overview();
    if (overview !== undefined && Number.isFinite(lastId)) {
      const missed = catchUp(overview, lastId);
      if (missed !== undefined) {
        lastTick = missed.t.at(-1)!;
        await stream.writeSSE({ event: 'catchup', id: String(lastTick), data: JSON.stringify(missed) });
      }
    }
    let busy = false;
    const onFrame = (frame: HubFrame) => {
      // A tab that reads slower than we send skips frames; the sections it missed go with the next.
      if (busy || stream.aborted) return;
      const changed: Partial<Record<SectionName, string>> = {};
      for (const [name, json] of Object.entries(frame.sections) as [SectionName, string][]) {
        if (sent[name] !== json) changed[name] = sent[name] = json;
      }
      const writes: Promise<void>[] = [];
      busy = true;
      if (Object.keys(changed).length > 0) writes.push(stream.writeSSE({ event: 'state', data: sectionsJson(changed) }));
      if (frame.tick.t > lastTick) {
        lastTick = frame.tick.t;
        writes.push(stream.writeSSE({ event: 'tick', id: String(frame.tick.t), data: JSON.stringify(frame.tick) }));
      }
      void Promise.all(writes).finally(() => {
        busy = false;
      });
    };
    const off = o.hub.subscribe(onFrame);
    const stopped = () => undefined;
    let release: () => void = stopped;
    await new Promise<void>((resolve) => {
      if (o.signal.aborted) return resolve();
      // Removed when the stream ends, so streams that come and go do not pile up listeners on
      // the plugin's signal, each keeping its stream alive until the plugin stops.
      const onStop = () => resolve();
      o.signal.addEventListener('abort', onStop, { once: true });
      release = () => o.signal.removeEventListener('abort', onStop);
      stream.onAbort(resolve);
    });
    release();
    off();
  });
}
