/**
 * The pull reader that `/metrics`, `metrics.reader` and the history sampler collect through:
 * cumulative, never exporting on its own.
 */
import { MetricReader } from '@opentelemetry/sdk-metrics';

export class InProcessReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
