/**
 * OTLP/HTTP exporters, made only when the environment names an endpoint: `OTEL_EXPORTER_OTLP_ENDPOINT`
 * for both signals, or `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * for one. The protocol comes from `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL` or
 * `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (the spec's default) or `http/json`. The
 * exporters read the endpoints, headers and timeouts from the environment themselves.
 * `OTEL_METRICS_EXPORTER=none` / `OTEL_TRACES_EXPORTER=none` turn a signal's export off.
 */
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { PlugboardError } from '@plugboard/plugin-api';

type Signal = 'METRICS' | 'TRACES';

/** The protocol for `signal`, or undefined when nothing asks to export it. */
export function otlpProtocolOf(signal: Signal, env: NodeJS.ProcessEnv = process.env): 'http/json' | 'http/protobuf' | undefined {
  if ((env[`OTEL_${signal}_EXPORTER`] ?? '').trim().toLowerCase() === 'none') return undefined;
  const endpoint = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`] ?? env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (endpoint === undefined || endpoint.trim() === '') return undefined;
  const protocol = (env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf').trim();
  if (protocol === 'http/json' || protocol === 'http/protobuf') return protocol;
  throw new PlugboardError(
    'configInvalid',
    `OTEL_EXPORTER_OTLP_PROTOCOL (or OTEL_EXPORTER_OTLP_${signal}_PROTOCOL) is '${protocol}', which this plugin cannot send: use 'http/protobuf' or 'http/json' (gRPC is not supported).`,
  );
}

/**
 * @example
 * const exporter = otlpMetricExporter(); // undefined unless an endpoint is set
 */
export function otlpMetricExporter(env: NodeJS.ProcessEnv = process.env): PushMetricExporter | undefined {
  const protocol = otlpProtocolOf('METRICS', env);
  if (protocol === undefined) return undefined;
  return protocol === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter();
}

/**
 * @example
 * const exporter = otlpTraceExporter(); // undefined unless an endpoint is set
 */
export function otlpTraceExporter(env: NodeJS.ProcessEnv = process.env): SpanExporter | undefined {
  const protocol = otlpProtocolOf('TRACES', env);
  if (protocol === undefined) return undefined;
  return protocol === 'http/json' ? new JsonTraceExporter() : new ProtoTraceExporter();
}
