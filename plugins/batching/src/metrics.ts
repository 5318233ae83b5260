import { ROOT_CONTEXT, SpanStatusCode, type Meter, type Tracer } from '@opentelemetry/api';
import type { BatchObserver, FlushObservation } from './processor/types.js';

const SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000];
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The `plugboard.batch.*` instruments of one queue, and a span per flush linked to the spans of
 * the requests whose records it carries. The flush span starts from the root context: a timer
 * fires inside whichever request armed it, and the batch belongs to none of them.
 *
 * @example
 * const metrics = batchTelemetry(ctx.meter, ctx.tracer, 'conversations', () => processor.depth);
 * new BatchProcessor({ ..., observer: metrics });
 */
export function batchTelemetry(meter: Meter, tracer: Tracer, queue: string, depth: () => number): BatchObserver {
  const attributes = { 'plugboard.batch.queue': queue };
  meter
    .createObservableGauge('plugboard.batch.queue_depth', { unit: '{row}', description: 'Rows accepted and not yet written (queued or in a batch being written).' })
    .addCallback((result) => result.observe(depth(), attributes));
  const size = meter.createHistogram('plugboard.batch.size', {
    unit: '{row}',
    description: 'Rows per batch written.',
    advice: { explicitBucketBoundaries: SIZE_BUCKETS },
  });
  const duration = meter.createHistogram('plugboard.batch.flush.duration', {
    unit: 's',
    description: 'How long a batch took to write, retries and splits included.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const rows = meter.createCounter('plugboard.batch.rows', { unit: '{row}', description: 'Rows written durably (stored now or found already stored).' });
  const retries = meter.createCounter('plugboard.batch.retries', { unit: '{retry}', description: 'Batches retried after a transient error.' });
  const deadLetters = meter.createCounter('plugboard.batch.dead_letters', { unit: '{row}', description: 'Rows refused for good and kept in the dead-letter table.' });
  const rejected = meter.createCounter('plugboard.batch.rejected', { unit: '{row}', description: 'Enqueues refused because the queue was full (whenFull: reject).' });

  return {
    flushStarted(n, links): FlushObservation {
      const span = tracer.startSpan(
        `batch flush ${queue}`,
        { links: links.map((context) => ({ context })), attributes: { ...attributes, 'plugboard.batch.size': n } },
        ROOT_CONTEXT,
      );
      size.record(n, attributes);
      return {
        attempt(attempt, error) {
          span.addEvent('attempt failed', { attempt, 'error.message': error instanceof Error ? error.message : String(error) });
        },
        end(outcome, seconds, error) {
          duration.record(seconds, { ...attributes, 'plugboard.batch.outcome': outcome });
          if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          span.end();
        },
      };
    },
    retried: () => retries.add(1, attributes),
    deadLettered: () => deadLetters.add(1, attributes),
    rejected: () => rejected.add(1, attributes),
    written: (count) => rows.add(count, attributes),
  };
}
