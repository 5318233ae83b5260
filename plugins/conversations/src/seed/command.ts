/**
 * What `plugboard seed` needs from this plugin: its description, its options, and a run function
 * that seeds with a progress bar. The CLI owns argument parsing and the database connection, and
 * runs this plugin's migrations before calling `run`.
 */
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
