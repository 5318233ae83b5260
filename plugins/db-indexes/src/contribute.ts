import type { PluginContext } from '@plugboard/plugin-api';
import { indexDeclarationsRef, type IndexDeclaration } from './contract.js';

/**
 * Adds `declarations` to `dbIndexes.declarations` for as long as the calling plugin runs: now if
 * db-indexes runs, and again whenever a provider of the ref registers (db-indexes enabled or
 * restarted after the contributor). Declare `optionalConsumes: [indexDeclarationsRef]`.
 *
 * @example
 * definePlugin({
 *   name: 'orders', optionalConsumes: [indexDeclarationsRef], ...
 *   setup(ctx) {
 *     contributeIndexes(ctx, [{ name: 'orders_user', table: 'orders', columns: ['user_id'], serves: 'userOrders' }]);
 *   },
 * });
 */
export function contributeIndexes(ctx: Pick<PluginContext, 'name' | 'get' | 'onServiceEvent' | 'onStop' | 'logger'>, declarations: readonly IndexDeclaration[]): void {
  const registry = ctx.get(indexDeclarationsRef);
  let undo: (() => void) | undefined;
  const add = () => {
    try {
      undo?.();
    } catch {
      // the provider that held them is gone
    }
    undo = undefined;
    try {
      undo = registry.add(ctx.name, declarations);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'serviceUnavailable') return;
      throw err;
    }
  };
  add();
  ctx.onServiceEvent((event) => {
    if (event.refId === indexDeclarationsRef.id && (event.type === 'registered' || (event.type === 'replaced' && event.current))) {
      try {
        add();
      } catch (err) {
        ctx.logger.error({ err }, 'could not contribute index declarations');
      }
    }
  });
  ctx.onStop(() => {
    try {
      undo?.();
    } catch {
      // db-indexes stopped first: nothing to take back
    }
  });
}
