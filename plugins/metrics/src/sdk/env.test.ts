import { ParentBasedSampler, TraceIdRatioBasedSampler, AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { otlpProtocolOf } from './otlp.js';
import { createResource } from './resource.js';
import { createSampler } from './sampler.js';

it('builds the resource from the config, then OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME', () => {
  const config = { serviceName: 'plugboard', resourceAttributes: { 'deployment.environment.name': 'dev', team: 'a' } };
  expect(createResource(config, {}).attributes).toMatchObject({ 'service.name': 'plugboard', team: 'a', 'telemetry.sdk.language': 'nodejs' });
  const both = createResource(config, { OTEL_RESOURCE_ATTRIBUTES: 'team=b,service.name=from-attrs,note=a%20b,broken', OTEL_SERVICE_NAME: 'chat' });
  expect(both.attributes).toMatchObject({ 'service.name': 'chat', team: 'b', note: 'a b', 'deployment.environment.name': 'dev' });
  expect(createResource(config, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).attributes['service.name']).toBe('from-attrs');
});

it('samples parent-based with the config ratio by default and follows OTEL_TRACES_SAMPLER(_ARG)', () => {
  expect(createSampler(0.25, {}).toString()).toBe(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) }).toString());
  expect(createSampler(0.25, { OTEL_TRACES_SAMPLER_ARG: '0.5' }).toString()).toContain('0.5');
  expect(createSampler(1, { OTEL_TRACES_SAMPLER: 'always_on' })).toBeInstanceOf(AlwaysOnSampler);
  expect(() => createSampler(1, { OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(
    "OTEL_TRACES_SAMPLER is 'jaeger_remote', which this plugin does not know: use one of 'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', or unset it.",
  );
  expect(() => createSampler(1, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow("OTEL_TRACES_SAMPLER_ARG is '2', which is not a ratio: set it to a number from 0 to 1.");
});

it('exports a signal over OTLP only when an endpoint is named, with the protocol asked for', () => {
  expect(otlpProtocolOf('METRICS', {})).toBeUndefined();
  expect(otlpProtocolOf('METRICS', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http/protobuf');
  expect(otlpProtocolOf('TRACES', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
  expect(otlpProtocolOf('METRICS', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBeUndefined();
  expect(otlpProtocolOf('TRACES', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  expect(() => otlpProtocolOf('METRICS', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
    "OTEL_EXPORTER_OTLP_PROTOCOL (or OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) is 'grpc', which this plugin cannot send: use 'http/protobuf' or 'http/json' (gRPC is not supported).",
  );
});
