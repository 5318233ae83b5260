/**
 * A test plugin that decorates `conversations.writer` (as batching does): while it runs, it is
 * the ref's best provider; disabling it swaps the ref back to the conversations plugin's own
 * writer. Its description holds markup, which the dashboard must show as text.
 */
import { definePlugin } from '@plugboard/plugin-api';
import { conversationWriterRef } from '@plugboard/plugin-conversations';

export const HOSTILE = `<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>`;

export default definePlugin({
  name: 'audit-writer',
  version: '1.0.0',
  core: '^0.1.0',
  description: HOSTILE,
  provides: [conversationWriterRef],
  setup(ctx) {
    const below = ctx.next(conversationWriterRef);
    ctx.provide(conversationWriterRef, { write: (c) => below.write(c) }, { ranking: 10 });
  },
});
