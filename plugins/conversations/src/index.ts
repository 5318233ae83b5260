/**
 * @plugboard/plugin-conversations: the domain. Other plugins import only from here: the refs and
 * their types, the named read queries (for plugins/db-indexes), and the data generator.
 */
export { default } from './plugin.js';
export {
  conversationServiceRef,
  conversationWriterRef,
  userCacheRef,
  type ConversationServiceApi,
  type ConversationWriter,
  type TimeRange,
  type UserCache,
} from './refs.js';
export {
  CONVERSATION_STATUSES,
  type CacheStats,
  type Conversation,
  type ConversationStatus,
  type DailyCount,
  type ExchangeInput,
  type ModelUsage,
  type NewConversation,
  type Page,
  type PremiumUser,
  type RecordResult,
  type TokenTotals,
  type User,
} from './types.js';
export { queries, type NamedQuery, type QueryName } from './queries.js';
export { CONVERSATION_COLUMNS, conversationRow } from './writers/columns.js';
export { configSchema, type ConversationsConfig } from './config.js';
export { seed, type SeedOptions, type SeedPhase, type SeedProgress, type SeedResult } from './seed/seed.js';
export { seedCommand, type SeedCommandArgs, type SeedCommandOption } from './seed/command.js';
export { createProgress, type ProgressOptions, type ProgressSink } from './seed/progress.js';
