/**
 * The export through the real command: the rule file passes `promtool check rules`, and the test
 * file (whose expected alerts this plugin's engine computed) passes `promtool test rules`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CommandContext, DatabaseService } from '@plugboard/plugin-api';
import { exportCommand } from '../commands/exportCommand.js';
import { configSchema, type AlertsConfig } from '../config.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'alerts-export-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function exportTo(format: string, file: string, config: AlertsConfig): Promise<string> {
  let printed = '';
  const ctx = {
    config,
    logger: pino({ level: 'silent' }),
    database: {} as DatabaseService,
    args: [],
    out: { write: (s: string) => ((printed += s), true) } as unknown as NodeJS.WriteStream,
  } satisfies CommandContext<AlertsConfig>;
  await exportCommand.run({ format, output: join(dir, file), ruleFile: 'plugboard.rules.yml' }, ctx);
  return printed;
}

describe('alerts export', () => {
  const config = configSchema.parse({
    rules: [
      {
        name: 'RouteErrors',
        expr: 'sum by (http.route) (histogram_count(rate(http.server.request.duration{http.response.status_code=~"5.."}[5m]))) / sum by (http.route) (histogram_count(rate(http.server.request.duration[5m])))',
        threshold: 0.1,
        for: '2m',
        keepFiringFor: '1m',
        labels: { team: 'api' },
        annotations: { summary: '{{ $labels.http_route }} fails {{ printf "%.1f" $value }} of requests' },
      },
    ],
  });

  it('writes a rule file promtool accepts, with PromQL over the /metrics names', async () => {
    expect(await exportTo('prometheus', 'plugboard.rules.yml', config)).toBe(`wrote 7 rule(s) to ${join(dir, 'plugboard.rules.yml')}\n`);
    const { stdout } = await run('promtool', ['check', 'rules', join(dir, 'plugboard.rules.yml')]);
    expect(stdout).toContain('SUCCESS: 7 rules found');
    const file = parse(await readFile(join(dir, 'plugboard.rules.yml'), 'utf8'));
    expect(file.groups[0].rules.find((r: { alert: string }) => r.alert === 'RouteErrors')).toEqual({
      alert: 'RouteErrors',
      expr: '(sum by (http_route) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m])) / sum by (http_route) (rate(http_server_request_duration_seconds_count[5m]))) > 0.1',
      for: '2m',
      keep_firing_for: '1m',
      labels: { team: 'api', severity: 'warning' },
      annotations: { summary: '{{ $labels.http_route }} fails {{ printf "%.1f" $value }} of requests' },
    });
  });

  it('writes a test file promtool runs green against that rule file', async () => {
    await exportTo('prometheus', 'plugboard.rules.yml', config);
    await exportTo('promtool-test', 'plugboard.rules.test.yml', config);
    const text = await readFile(join(dir, 'plugboard.rules.test.yml'), 'utf8');
    expect(text).toContain('# Rules without a fixture, not tested here: RouteErrors');
    expect(parse(text).tests).toHaveLength(6);
    const { stdout } = await run('promtool', ['test', 'rules', join(dir, 'plugboard.rules.test.yml')]);
    expect(stdout).toContain('SUCCESS');
  });

  it('a test file whose expectation is wrong fails in promtool (the check can fail)', async () => {
    await exportTo('prometheus', 'plugboard.rules.yml', configSchema.parse({ builtins: { HighBatchQueue: { threshold: 2000 } } }));
    // Tests made for the default threshold (a queue of 1500 fires), run against a rule that needs 2000.
    await exportTo('promtool-test', 'plugboard.rules.test.yml', configSchema.parse({}));
    const failed = await run('promtool', ['test', 'rules', join(dir, 'plugboard.rules.test.yml')]).then(() => undefined, (err: { stdout: string; stderr: string }) => err.stdout + err.stderr);
    expect(failed).toContain('HighBatchQueue');
  });

  it('still agrees with Prometheus when the config moved a built-in threshold out of its fixture\'s reach', async () => {
    const moved = configSchema.parse({ builtins: { HighCpuLoad: { threshold: 2 }, HighBatchQueue: { for: '0s' } } });
    await exportTo('prometheus', 'plugboard.rules.yml', moved);
    await exportTo('promtool-test', 'plugboard.rules.test.yml', moved);
    const tests = parse(await readFile(join(dir, 'plugboard.rules.test.yml'), 'utf8')).tests as { name: string; alert_rule_test: { exp_alerts: unknown[] }[] }[];
    const cpu = tests.find((t) => t.name.startsWith('HighCpuLoad'))!;
    expect(cpu.alert_rule_test.map((t) => t.exp_alerts)).toEqual([[], []]);
    expect(tests.find((t) => t.name.startsWith('HighBatchQueue'))!.alert_rule_test[0]!.exp_alerts).toHaveLength(1);
    const { stdout } = await run('promtool', ['test', 'rules', join(dir, 'plugboard.rules.test.yml')]);
    expect(stdout).toContain('SUCCESS');
  });

  it('refuses an unknown format', async () => {
    await expect(exportTo('grafana', 'x.yml', config)).rejects.toThrow("--format is 'grafana': use 'prometheus' or 'promtool-test'.");
  });
});
