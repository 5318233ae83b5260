/**
 * Span times on one clock: `performance.timeOrigin + performance.now()`, as an HrTime.
 *
 * The SDK anchors each span it times itself at `Date.now()`, a whole millisecond, when the span is
 * made, so two spans of one request can be up to a millisecond apart: a query would seem to end
 * after the request that awaited it. The server span and the query spans are given times from
 * this clock instead (OpenTelemetry's `hrTime()` reads the same), which keeps a trace's spans in
 * order to the microsecond. Against the wall clock it drifts as far as the system clock was
 * adjusted since the process started.
 */
import type { HrTime } from '@opentelemetry/api';

const ORIGIN_S = Math.floor(performance.timeOrigin / 1000);
const ORIGIN_NS = Math.round((performance.timeOrigin - ORIGIN_S * 1000) * 1e6);

/**
 * @example
 * const span = tracer.startSpan('GET /a', { startTime: spanTime() });
 * span.end(spanTime());
 */
export function spanTime(now: number = performance.now()): HrTime {
  const seconds = Math.floor(now / 1000);
  let ns = ORIGIN_NS + Math.round((now - seconds * 1000) * 1e6);
  let s = ORIGIN_S + seconds;
  if (ns >= 1e9) {
    s += 1;
    ns -= 1e9;
  }
  return [s, ns];
}
