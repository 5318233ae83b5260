import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, post, startApp, type TestApp } from './testSupport.js';

let app: TestApp;

beforeAll(async () => {
  // Every statement counts as slow, so the slow-query counter shows.
  app = await startApp({ system: { databaseSizeInterval: '1s' }, slowQueryThreshold: '0ms' });
});
afterAll(() => app?.close());

async function scrape(): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('/metrics after real traffic', () => {
  it('shows every family with its labels, under Prometheus names, and promtool finds nothing', async () => {
    expect((await post(`${app.url}/api/conversations`, exchange({ user_id: 501 }))).status).toBe(201);
    expect((await fetch(`${app.url}/api/users/501/conversations`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/users/501`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/users/99999`)).status).toBe(404);
    // Enough garbage for the young generation to be collected at least once.
    let junk: number[][] = [];
    for (let i = 0; i < 2000; i++) junk.push(new Array<number>(5000).fill(i));
    junk = [];
    await new Promise((r) => setTimeout(r, 1200));
    const text = await scrape();

    expect(text).toMatch(/^target_info\{[^}]*service_name="plugboard"[^}]*\} 1$/m);
    expect(text).toMatch(
      /^http_server_request_duration_seconds_bucket\{[^}]*http_request_method="GET"[^}]*http_response_status_code="200"[^}]*plugboard_plugin="conversations"[^}]*http_route="\/api\/users\/:id\/conversations"[^}]*le="0\.005"\} \d+$/m,
    );
    expect(text).toMatch(/^http_server_request_duration_seconds_count\{[^}]*http_route="\/api\/users\/:id"[^}]*\} 1$/m);
    expect(text).toMatch(/^# TYPE http_server_active_requests gauge$/m);
    expect(text).toMatch(/^plugboard_middleware_duration_seconds_count\{[^}]*plugboard_plugin="conversations"[^}]*\} \d+$/m);
    expect(text).toMatch(/^db_client_operation_duration_seconds_bucket\{[^}]*db_system_name="postgresql"[^}]*db_operation_name="SELECT"[^}]*db_collection_name="users"/m);
    expect(text).toMatch(/^db_client_connection_usage\{[^}]*db_client_connection_state="idle"[^}]*\} \d+$/m);
    expect(text).toMatch(/^db_client_connection_pending_requests\{[^}]*\} 0$/m);
    expect(text).toMatch(/^plugboard_cache_misses_total\{[^}]*cache="users"[^}]*\} \d+$/m);
    expect(text).toMatch(/^plugboard_conversations_recorded_total\{[^}]*gen_ai_request_model="gpt-4o"[^}]*plugboard_conversation_status="completed"[^}]*\} 1$/m);
    expect(text).toMatch(/^plugboard_conversations_tokens_total\{[^}]*gen_ai_request_model="gpt-4o"[^}]*gen_ai_token_type="input"[^}]*\} 10$/m);
    expect(text).toMatch(/^plugboard_db_slow_queries_total\{[^}]*db_operation_name="SELECT"[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^plugboard_registry_swaps_total\{[^}]*plugboard_service="metrics.reader"[^}]*\} 1$/m);
    expect(text).toMatch(/^plugboard_plugin_start_duration_seconds_count\{[^}]*plugboard_plugin="conversations"[^}]*\} 1$/m);
    expect(text).toMatch(/^v8js_gc_duration_seconds_count\{[^}]*v8js_gc_type="(minor|major|incremental)"[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^plugboard_plugins\{[^}]*plugboard_plugin_state="started"[^}]*\} 2$/m);
    expect(text).toMatch(/^plugboard_registry_providers\{[^}]*plugboard_service="metrics.reader"[^}]*\} 1$/m);
    expect(text).toMatch(/^process_cpu_time_seconds_total\{[^}]*process_cpu_state="user"[^}]*\} [\d.e+-]+$/m);
    expect(text).toMatch(/^process_memory_usage_bytes\{[^}]*\} \d+$/m);
    expect(text).toMatch(/^system_memory_usage_bytes\{[^}]*system_memory_state="used"[^}]*\} \d+$/m);
    expect(text).toMatch(/^nodejs_eventloop_delay_p99_seconds\{[^}]*\} [\d.e+-]+$/m);
    expect(text).toMatch(/^v8js_memory_heap_used_bytes\{[^}]*v8js_heap_space_name="new_space"[^}]*\} \d+$/m);
    expect(text).toMatch(/^system_filesystem_usage_bytes\{[^}]*system_filesystem_state="free"[^}]*\} \d+$/m);
    expect(text).toMatch(/^system_filesystem_utilization_ratio\{[^}]*\} [\d.e+-]+$/m);
    expect(text).toMatch(/^plugboard_database_size_bytes\{[^}]*db_namespace="[^"]+"[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^plugboard_task_runs_total\{[^}]*plugboard_task="metrics.sample"[^}]*plugboard_task_outcome="ok"[^}]*\} \d+$/m);
    expect(text).not.toMatch(/_milliseconds/);

    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
