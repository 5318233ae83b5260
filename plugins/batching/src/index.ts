/**
 * @plugboard/plugin-batching: batched writes. Other packages import only from here: the plugin,
 * the generic BatchProcessor and its types, the batched conversation sink and its errors.
 */
export { default } from './plugin.js';
export { BatchProcessor } from './processor/BatchProcessor.js';
export type { BatchObserver, BatchProcessorOptions, BatchSink, DeadLetterSink, FlushObservation, WhenFull } from './processor/types.js';
export { backoffDelay, DEFAULT_RETRY, isTransient, type RetryOptions } from './processor/retry.js';
export { BatchClosedError, BatchQueueFullError, DeadLetteredError, RetriesExhaustedError } from './errors.js';
export { configSchema, type BatchingConfig } from './config.js';
export { DEAD_LETTER_TABLE, DeadLetterStore, type DeadLetter } from './deadLetters.js';
export { replayDeadLetters, type ReplayResult } from './replay.js';
export { ConversationBatchSink, type WriteMethod } from './writer/ConversationBatchSink.js';
export { batchPool, type BatchPoolOptions } from './writer/pgPool.js';
