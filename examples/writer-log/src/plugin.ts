import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { definePlugin } from '@plugboard/plugin-api';
import { conversationWriterRef } from '@plugboard/plugin-conversations';
import { z } from 'zod';

/**
 * Appends the id of every conversation stored from now on to a file, one per line, by wrapping
 * whatever provides `conversations.writer` below it (the direct writer, or a batching one).
 * Enabled at runtime, it receives the next write; disabled, writes go back to the writer below
 * at once, while the writes it already holds finish here before the file is closed.
 */
export default definePlugin({
  name: 'writer-log',
  version: '1.0.0',
  core: '^0.1.0',
  dependsOn: { conversations: '^0.1.0' },
  provides: [conversationWriterRef],
  config: z.object({
    file: z.string().min(1).default('conversations.log').describe('File the ids are appended to, relative to the working directory'),
    ranking: z.number().int().default(20).describe('Ranking of the decorator; above every writer it should wrap'),
  }),
  async setup(ctx) {
    const path = resolve(ctx.config.file);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, 'a');
    const below = ctx.next(conversationWriterRef);
    ctx.provide(
      conversationWriterRef,
      {
        async write(conversation) {
          const stored = await below.write(conversation);
          if (stored) await file.appendFile(`${conversation.id}\n`);
          return stored;
        },
      },
      // Runs once the provider is withdrawn and the writes it was running have finished.
      { ranking: ctx.config.ranking, dispose: () => file.close() },
    );
    ctx.logger.info({ path }, `Appending the id of each stored conversation to '${path}'.`);
  },
});
