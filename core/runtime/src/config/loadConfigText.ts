/** Reads the config file: the text, with environment variables substituted, parsed as YAML. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { PlugboardError } from '@plugboard/plugin-api';
import { configProblemsError } from './problems.js';
import { substituteEnv } from './substituteEnv.js';

/**
 * The config file to use: `--config` (argv) if given, else `PLUGBOARD_CONFIG`, else
 * `<cwd>/config/plugboard.yaml`; always absolute.
 *
 * @example
 * defaultConfigPath(options.config) // '/srv/app/config/plugboard.yaml'
 */
export function defaultConfigPath(argv?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const chosen = argv || env.PLUGBOARD_CONFIG || path.join('config', 'plugboard.yaml');
  return path.resolve(cwd, chosen);
}

/**
 * The parsed content of the config file, not yet validated. An empty file is `{}`.
 *
 * `text`, when given, is the file's content as already read (the config watcher's settled read),
 * so what was checked is what gets applied.
 *
 * @throws PlugboardError `configInvalid` when the file is missing, uses unset variables, or is
 *   not valid YAML (each syntax error with its line and column)
 *
 * @example
 * const raw = await loadConfigText('config/plugboard.yaml');
 */
export async function loadConfigText(file: string, env: NodeJS.ProcessEnv = process.env, text?: string): Promise<unknown> {
  if (text === undefined) text = await readConfigFile(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const where = e.linePos?.[0];
      const at = where ? `line ${where.line}, column ${where.col}: ` : '';
      return `${at}${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')}`;
    });
    throw configProblemsError(file, problems, 'is not valid YAML');
  }
  substituteEnv(doc, lineCounter, file, env);
  return doc.toJS() ?? {};
}

async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PlugboardError(
        'configInvalid',
        `Config file '${file}' does not exist. Create it, or pass --config <file> or set PLUGBOARD_CONFIG.`,
        { cause: err, details: { path: file } },
      );
    }
    throw new PlugboardError('configInvalid', `Config file '${file}' could not be read: ${(err as Error).message}.`, {
      cause: err,
      details: { path: file },
    });
  }
}
