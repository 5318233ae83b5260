/** Helpers the plugin's integration tests share (not exported by the package). */
import { Writable } from 'node:stream';
import { definePlugin, type PluginDefinition } from '@plugboard/plugin-api';
import { pino, type Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { indexDeclarationsRef, type IndexDeclaration } from './contract.js';
import { contributeIndexes } from './contribute.js';

/** A pino logger whose JSON lines are kept in `lines`. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A plugin that contributes `declarations` through {@link contributeIndexes}. */
export function contributor(name: string, declarations: IndexDeclaration[]): PluginDefinition {
  return definePlugin({
    name,
    version: '1.0.0',
    core: '^0.1.0',
    optionalConsumes: [indexDeclarationsRef],
    setup(ctx) {
      contributeIndexes(ctx, declarations);
    },
  });
}

/** `valid` of each named index (absent: missing). */
export async function indexValidity(sequelize: Sequelize, names: string[]): Promise<Record<string, boolean>> {
  const found = await sequelize.query<{ name: string; valid: boolean }>(
    'SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY($1)',
    { bind: [names], type: QueryTypes.SELECT },
  );
  return Object.fromEntries(found.map((f) => [f.name, f.valid]));
}

/** Polls `check` every 50 ms until it returns a value other than undefined (at most `tries` times). */
export async function eventually<T>(check: () => Promise<T | undefined>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition was not met in time');
}
