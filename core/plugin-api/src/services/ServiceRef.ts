/**
 * A typed token for a service. The id is what config, logs and the admin API show; the type
 * parameter is what consumers get when they call through the ref's live handle.
 */
export interface ServiceRef<T> {
  readonly id: string;
  readonly description?: string;
  /** Phantom field that carries `T`; never set at runtime. */
  readonly $type?: T;
}

/** The type a ref stands for: `ServiceType<typeof writerRef>`. */
export type ServiceType<R> = R extends ServiceRef<infer T> ? T : never;

const ID_PATTERN = /^[a-z][a-zA-Z0-9-]*(\.[a-z][a-zA-Z0-9-]*)+$/;

/**
 * Makes a service ref. Ids are dotted, lower-camel segments, the first naming the owning area:
 * `'conversations.writer'`, `'core.database'`.
 *
 * @example
 * export interface ConversationWriter { write(c: NewConversation): Promise<void> }
 * export const conversationWriterRef = serviceRef<ConversationWriter>('conversations.writer');
 */
export function serviceRef<T>(id: string, options: { description?: string } = {}): ServiceRef<T> {
  if (!ID_PATTERN.test(id)) {
    throw new Error(
      `Service ref id '${id}' is not valid: use at least two dot-separated segments that start with a lower-case letter, for example 'conversations.writer'.`,
    );
  }
  return Object.freeze({ id, ...(options.description ? { description: options.description } : {}) });
}
