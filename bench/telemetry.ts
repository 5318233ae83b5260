/**
 * What ctx.meter's forwarding costs per counter.add: the same add through a forwarding counter
 * (what plugins get) and straight on the instrument it forwards to, first with an SDK
 * MeterProvider installed, then with none (the API's no-op). Rounds alternate which side goes
 * first. Prints a table, then one JSON line.
 */
import { metrics } from '@opentelemetry/api';
import type { Counter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createForwardingMeter } from '../core/runtime/src/telemetry/ForwardingMeter.js';
import { installMeterProvider } from '@plugboard/plugin-api';
import { median, round1, round2 } from './stats.js';

const CALLS = 500_000;
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;
const attributes = { 'http.route': '/api/conversations/:id' };

/** Pull-only reader, never collected: the bench measures the recording side. */
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

// One loop per side, so no call site sees both the SDK counter and the forwarding one.
function directRound(counter: Counter): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) counter.add(1, attributes);
  return Number(process.hrtime.bigint() - start) / CALLS;
}

function forwardingRound(counter: Counter): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) counter.add(1, attributes);
  return Number(process.hrtime.bigint() - start) / CALLS;
}

function measure(direct: Counter, forwarding: Counter): { direct: number[]; forwarding: number[] } {
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    directRound(direct);
    forwardingRound(forwarding);
  }
  const samples = { direct: [] as number[], forwarding: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      samples.direct.push(directRound(direct));
      samples.forwarding.push(forwardingRound(forwarding));
    } else {
      samples.forwarding.push(forwardingRound(forwarding));
      samples.direct.push(directRound(direct));
    }
  }
  return samples;
}


const provider = new MeterProvider({ readers: [new IdleReader()] });
installMeterProvider(provider);
const forwardingMeter = createForwardingMeter('bench', '1.0.0');
const sdk = measure(provider.getMeter('bench-direct').createCounter('bench.direct'), forwardingMeter.createCounter('bench.forwarding'));

installMeterProvider(undefined);
const noop = measure(metrics.getMeter('bench-direct').createCounter('bench.direct'), forwardingMeter.createCounter('bench.forwarding.noop'));
forwardingMeter.close();
await provider.shutdown();

const directNs = median(sdk.direct);
const forwardingNs = median(sdk.forwarding);
const noopDirectNs = median(noop.direct);
const noopForwardingNs = median(noop.forwarding);
console.log(`telemetry: ${ROUNDS} rounds of ${CALLS} counter.add calls per side after ${WARMUP_ROUNDS} warm-up rounds`);
console.table(
  [
    { provider: 'SDK MeterProvider', via: 'SDK counter', samples: sdk.direct },
    { provider: 'SDK MeterProvider', via: 'forwarding counter', samples: sdk.forwarding },
    { provider: 'none (API no-op)', via: 'no-op counter', samples: noop.direct },
    { provider: 'none (API no-op)', via: 'forwarding counter', samples: noop.forwarding },
  ].map((r) => ({
    provider: r.provider,
    via: r.via,
    'median ns/call': round1(median(r.samples)),
    'min ns/call': round1(Math.min(...r.samples)),
    'max ns/call': round1(Math.max(...r.samples)),
  })),
);
console.log(`SDK ratio (forwarding/direct): ${round2(forwardingNs / directNs)}; no-op: forwarding costs ${round1(noopForwardingNs - noopDirectNs)} ns more per call`);
console.log(
  JSON.stringify({
    bench: 'telemetry',
    direct_ns: round1(directNs),
    forwarding_ns: round1(forwardingNs),
    ratio: round2(forwardingNs / directNs),
    noop_direct_ns: round1(noopDirectNs),
    noop_forwarding_ns: round1(noopForwardingNs),
  }),
);
