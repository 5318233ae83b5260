import { describe, expect, it } from 'vitest';
import { prometheusLabelOf, prometheusNameOf } from './prometheusName.js';

describe('prometheusNameOf', () => {
  it.each([
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['db.client.operation.duration', 's', 'histogram', 'db_client_operation_duration_seconds'],
    ['plugboard.cache.hits', '{hit}', 'counter', 'plugboard_cache_hits_total'],
    ['plugboard.cache.hits', '', 'counter', 'plugboard_cache_hits_total'],
    ['process.cpu.time', 's', 'counter', 'process_cpu_time_seconds_total'],
    ['process.memory.usage', 'By', 'updowncounter', 'process_memory_usage_bytes'],
    ['system.network.io', 'By', 'counter', 'system_network_io_bytes_total'],
    ['process.cpu.utilization', '1', 'gauge', 'process_cpu_utilization_ratio'],
    ['plugboard.ratio.things', '1', 'counter', 'plugboard_ratio_things_total'],
    ['throughput', 'By/s', 'gauge', 'throughput_bytes_per_second'],
    ['requests.rate', '{request}/s', 'gauge', 'requests_rate_per_second'],
    ['nodejs.eventloop.delay.p99', 's', 'gauge', 'nodejs_eventloop_delay_p99_seconds'],
    ['already_seconds', 's', 'histogram', 'already_seconds'],
    ['jobs_total', '{job}', 'counter', 'jobs_total'],
    ['latency', 'ms', 'histogram', 'latency_milliseconds'],
    ['size', 'MiBy', 'gauge', 'size_mebibytes'],
    ['temperature', 'Cel', 'gauge', 'temperature_celsius'],
    ['odd-name/with spaces', 'widgets', 'gauge', 'odd_name_with_spaces_widgets'],
    ['9lives', '', 'gauge', '_9lives'],
    ['a..b', '', 'gauge', 'a_b'],
  ] as const)('%s (%s, %s) -> %s', (name, unit, kind, expected) => {
    expect(prometheusNameOf(name, unit, kind)).toBe(expected);
  });
});

describe('prometheusLabelOf', () => {
  it('replaces what Prometheus does not allow in a label name', () => {
    expect(prometheusLabelOf('http.request.method')).toBe('http_request_method');
    expect(prometheusLabelOf('service.name')).toBe('service_name');
    expect(prometheusLabelOf('1st')).toBe('key_1st');
    expect(prometheusLabelOf('a-b..c')).toBe('a_b_c');
  });
});
