/**
 * Decorators for plugin classes built by `ctx.create`. `@inject` takes a service ref (or a raw
 * token) so plugin authors never spell ids twice; tokens are always explicit, since Plugboard
 * does not rely on emitted type metadata.
 */
import { type Newable, inject as inversifyInject } from 'inversify';
import type { ServiceRef } from '../services/ServiceRef.js';

export { injectable } from 'inversify';

/**
 * Marks a constructor parameter (or property) to receive the live handle of `ref`, a value bound
 * by symbol (see `contextTokens`), or another class of the same plugin scope.
 *
 * @example
 * @injectable()
 * class Archiver {
 *   constructor(
 *     @inject(conversationWriterRef) private readonly writer: ConversationWriter,
 *     @inject(contextTokens.logger) private readonly logger: Logger,
 *   ) {}
 * }
 */
export function inject(
  ref: ServiceRef<any> | string | symbol | Newable<unknown>,
): MethodDecorator & ParameterDecorator & PropertyDecorator {
  return inversifyInject(typeof ref === 'object' ? ref.id : ref);
}
