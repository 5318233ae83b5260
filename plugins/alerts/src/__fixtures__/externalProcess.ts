/**
 * Starts the real Prometheus and Alertmanager binaries for a test: each with its own config, data
 * folder and free port, stopped (and its folder removed) by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ExternalProcess {
  url: string;
  dir: string;
  /** What it printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready:\n${output()}`);
}

async function start(binary: string, args: (dir: string, port: number) => string[], files: Record<string, string>): Promise<ExternalProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-ext-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const port = await freePort();
  const child = spawn(binary, args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dir, output: () => out, stop };
}

/** A real Alertmanager (clustering off) whose route sends everything to a receiver with no integration. */
export function startAlertmanager(): Promise<ExternalProcess> {
  const config = ['route:', '  receiver: blackhole', '  group_wait: 0s', 'receivers:', '  - name: blackhole', ''].join('\n');
  return start(
    '/usr/bin/prometheus-alertmanager',
    (dir, port) => [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { 'alertmanager.yml': config },
  );
}

/** A real Prometheus scraping `target` (host:port) every second with `ruleFile` loaded, evaluated every second. */
export function startPrometheus(target: string, ruleFile: string): Promise<ExternalProcess> {
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files: [plugboard.rules.yml]',
    'scrape_configs:',
    '  - job_name: plugboard',
    `    static_configs: [{ targets: ['${target}'] }]`,
    '',
  ].join('\n');
  return start(
    '/usr/bin/prometheus',
    (dir, port) => [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { 'prometheus.yml': config, 'plugboard.rules.yml': ruleFile },
  );
}
