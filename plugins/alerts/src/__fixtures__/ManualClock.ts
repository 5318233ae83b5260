/**
 * A clock tests move by hand, for the engine and the webhook timers (and, provided as
 * `core.clock` in a test kernel, for the whole plugin). Timers fire in time order as `advance`
 * passes them.
 */
import type { Clock, ClockTimer } from '@plugboard/plugin-api';

export class ManualClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private time = Date.UTC(2026, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Moves time forward by `ms`, firing every timer due on the way (in order); awaits a turn after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.time = end;
  }

  /** Timers waiting, for assertions on what is scheduled. */
  pending(): number {
    return this.timers.length;
  }
}
