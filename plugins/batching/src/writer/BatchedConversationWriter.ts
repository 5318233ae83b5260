import type { ConversationWriter, NewConversation } from '@plugboard/plugin-conversations';
import { BatchClosedError } from '../errors.js';
import type { BatchProcessor } from '../processor/BatchProcessor.js';

/**
 * The batched `conversations.writer`: each write joins the processor's next batch and resolves,
 * true or false as the direct writer would, once that batch committed. Once the processor is
 * closed (the plugin is stopping, disabled or reloaded) a write that still reaches this provider
 * goes to the provider below (the direct writer), so none is refused while the swap happens.
 *
 * @example
 * ctx.provide(conversationWriterRef, new BatchedConversationWriter(processor, ctx.next(conversationWriterRef)), { ranking: 10 });
 */
export class BatchedConversationWriter implements ConversationWriter {
  constructor(
    private readonly processor: BatchProcessor<NewConversation, boolean>,
    private readonly below: ConversationWriter,
  ) {}

  async write(conversation: NewConversation): Promise<boolean> {
    if (this.processor.closed) return this.below.write(conversation);
    try {
      return await this.processor.enqueue(conversation);
    } catch (err) {
      if (err instanceof BatchClosedError) return this.below.write(conversation);
      throw err;
    }
  }
}
