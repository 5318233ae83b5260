/**
 * One timer for every open dashboard tab: each interval it reads the newest sample of each main
 * series and the state sections once, and hands them to every subscriber. Tabs cost a JSON
 * comparison each, not a read of the kernel each.
 */
import { MAIN_SERIES, type MetricsOverview } from '@plugboard/plugin-metrics';
import { SECTIONS, SLOW_SECTIONS, type SectionName } from './state.js';

/** The newest sample of every main series, in MAIN_SERIES order; `v` is null while metrics are off. */
export interface Tick {
  t: number;
  v: (number | null)[] | null;
}

export interface HubFrame {
  tick: Tick;
  /** Each section as JSON; the slow ones only every `slowEvery` frames. */
  sections: Partial<Record<SectionName, string>>;
}

export interface StreamHubOptions {
  intervalMs: number;
  /** The overview now, or undefined while the metrics plugin is off. */
  overview: () => MetricsOverview | undefined;
  section: (name: SectionName) => unknown;
  /** Slow sections (routes, traces) are read every this many frames. Default 5. */
  slowEvery?: number;
  now?: () => number;
  onError: (err: unknown) => void;
}

/** Four significant digits: what a chart can show, at a third of the bytes of a full double. */
export function round(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (value === 0) return 0;
  return Number(value.toPrecision(4));
}

/** The newest sample of each main series of an overview. */
export function tickOf(overview: MetricsOverview | undefined, now: number): Tick {
  if (overview === undefined) return { t: now, v: null };
  const t = overview.history.t.at(-1) ?? overview.time;
  return { t, v: MAIN_SERIES.map((name) => round(overview.current[name])) };
}

/**
 * @example
 * const hub = new StreamHub({ intervalMs: 1000, overview, section, onError });
 * const off = hub.subscribe((frame) => send(frame));
 */
export class StreamHub {
  readonly #options: StreamHubOptions;
  readonly #listeners = new Set<(frame: HubFrame) => void>();
  #timer: NodeJS.Timeout | undefined;
  #frames = 0;
  #latest: HubFrame | undefined;

  constructor(options: StreamHubOptions) {
    this.#options = options;
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; the timer runs while there is at least one. Returns the unsubscribe function. */
  subscribe(listener: (frame: HubFrame) => void): () => void {
    this.#listeners.add(listener);
    this.#timer ??= setInterval(() => this.#frame(), this.#options.intervalMs);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Every section now, as JSON: what a new connection starts from. */
  fullSections(): Record<SectionName, string> {
    return Object.fromEntries(SECTIONS.map((name) => [name, JSON.stringify(this.#options.section(name))])) as Record<SectionName, string>;
  }

  /** The last frame sent, if any. */
  get latest(): HubFrame | undefined {
    return this.#latest;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  #frame(): void {
    try {
      const now = (this.#options.now ?? Date.now)();
      const slow = this.#frames % (this.#options.slowEvery ?? 5) === 0;
      this.#frames += 1;
      const sections: HubFrame['sections'] = {};
      for (const name of SECTIONS) {
        if (SLOW_SECTIONS.has(name) && !slow) continue;
        sections[name] = JSON.stringify(this.#options.section(name));
      }
      const frame = { tick: tickOf(this.#options.overview(), now), sections };
      this.#latest = frame;
      for (const listener of this.#listeners) listener(frame);
    } catch (err) {
      this.#options.onError(err);
    }
  }
}
