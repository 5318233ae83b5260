/**
 * What `plugboard seed` needs from this plugin: its description, its options, and a run function
 * that seeds with a progress bar. The CLI owns argument parsing and the database connection, and
 * runs this plugin's migrations before calling `run`.
 */
import { PlugboardError, type PluginCommand } from '@plugboard/plugin-api';
import type { Sequelize } from 'sequelize';
import { createProgress, type ProgressOptions } from './progress.js';
import { seed, type SeedResult } from './seed.js';

export interface SeedCommandOption {
  /** commander-style flags. */
  flags: string;
  description: string;
  default: number;
  /** The key of {@link SeedCommandArgs} it sets. */
  key: keyof SeedCommandArgs;
}

export interface SeedCommandArgs {
  users: number;
  conversations: number;
  seed: number;
  chunkSize: number;
  concurrency: number;
}

export const seedCommand = {
  name: 'seed',
  description:
    'Fill the database with realistic users and conversations (set-based SQL). The same --seed makes the same data, and running it again adds nothing.',
  options: [
    { key: 'users', flags: '--users <n>', description: 'users to create, with ids 1..n', default: 100_000 },
    { key: 'conversations', flags: '--conversations <n>', description: 'conversations to create', default: 1_000_000 },
    { key: 'seed', flags: '--seed <n>', description: 'seed value', default: 1 },
    { key: 'chunkSize', flags: '--chunk-size <n>', description: 'rows per INSERT statement', default: 50_000 },
    { key: 'concurrency', flags: '--concurrency <n>', description: 'statements run at once', default: 2 },
  ] satisfies SeedCommandOption[],

  /**
   * Seeds with progress on `progress.stream` (a bar on a terminal, log lines otherwise).
   *
   * @example
   * const result = await seedCommand.run(db.sequelize, { users: 100_000, conversations: 1_000_000, seed: 1, chunkSize: 50_000, concurrency: 2 });
   * console.log(`seeded in ${result.durationMs} ms`);
   */
  async run(sequelize: Sequelize, args: SeedCommandArgs, progress: ProgressOptions = {}): Promise<SeedResult> {
    const sink = createProgress(progress);
    try {
      return await seed({ sequelize, ...args, onProgress: (p) => sink.update(p) });
    } finally {
      sink.stop();
    }
  },
};

/**
 * `plugboard seed`, as the CLI runs it: flags arrive as strings, so each is checked to be a
 * whole number and named in the error when it is not. The CLI has applied the migrations.
 */
export const seedPluginCommand: PluginCommand = {
  name: seedCommand.name,
  description: seedCommand.description,
  options: seedCommand.options.map((o) => ({ flags: o.flags, description: o.description, default: String(o.default) })),
  async run(options, ctx) {
    const args = {} as SeedCommandArgs;
    for (const o of seedCommand.options) {
      const raw = options[o.key];
      const value = Number(raw);
      if (typeof raw !== 'string' || !Number.isSafeInteger(value) || value < 0) {
        throw new PlugboardError(
          'invalidArgument',
          `${o.flags.split(' ')[0]} is ${JSON.stringify(raw)}, which is not a whole number of 0 or more. Pass, for example, ${o.flags.split(' ')[0]} ${o.default}.`,
        );
      }
      args[o.key] = value;
    }
    const result = await seedCommand.run(ctx.database.sequelize, args, { stream: ctx.out });
    ctx.out.write(
      `Seeded ${result.usersInserted} new users and ${result.conversationsInserted} new conversations in ${(result.durationMs / 1000).toFixed(1)} s (seed ${args.seed}).\n`,
    );
  },
};
