import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfigPath, loadConfigText } from './loadConfigText.js';
import { plugboardErrorOf } from '../testing/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugboard-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('defaultConfigPath', () => {
  it('prefers --config, then PLUGBOARD_CONFIG, then config/plugboard.yaml, resolved against cwd', () => {
    expect(defaultConfigPath('my.yaml', { PLUGBOARD_CONFIG: '/etc/pb.yaml' }, '/srv/app')).toBe('/srv/app/my.yaml');
    expect(defaultConfigPath(undefined, { PLUGBOARD_CONFIG: '/etc/pb.yaml' }, '/srv/app')).toBe('/etc/pb.yaml');
    expect(defaultConfigPath(undefined, {}, '/srv/app')).toBe('/srv/app/config/plugboard.yaml');
  });
});

describe('loadConfigText', () => {
  it('substitutes variables and parses YAML', async () => {
    const file = path.join(dir, 'plugboard.yaml');
    await writeFile(file, 'server:\n  port: ${PORT:-3000}\n  host: ${HOST}\n');
    expect(await loadConfigText(file, { HOST: '0.0.0.0' })).toEqual({ server: { port: 3000, host: '0.0.0.0' } });
  });

  it('reads an empty file as an empty object', async () => {
    const file = path.join(dir, 'plugboard.yaml');
    await writeFile(file, '# nothing yet\n');
    expect(await loadConfigText(file, {})).toEqual({});
  });

  it('says how to point at another file when it does not exist', async () => {
    const file = path.join(dir, 'missing.yaml');
    const err = await plugboardErrorOf(loadConfigText(file, {}));
    expect(err.kind).toBe('configInvalid');
    expect(err.message).toBe(
      `Config file '${file}' does not exist. Create it, or pass --config <file> or set PLUGBOARD_CONFIG.`,
    );
  });

  it('reports YAML syntax errors with line and column', async () => {
    const file = path.join(dir, 'plugboard.yaml');
    await writeFile(file, 'server:\n  port: 3000\n  port: 3001\nlogging: [info\n');
    const err = await plugboardErrorOf(loadConfigText(file, {}));
    expect(err.kind).toBe('configInvalid');
    expect(err.details.problems).toEqual([
      'line 3, column 3: Map keys must be unique',
      'line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(err.message).toBe(
      `Config file '${file}' is not valid YAML:\n  - line 3, column 3: Map keys must be unique\n  - line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
  });
});
