/**
 * Live handles: the stable proxy a consumer holds for a ref. Every method call is routed, at the
 * moment of the call, to the ref's current best provider, and counted as in flight on that
 * provider's instance until it returns (or, for a promise, settles), so a withdrawn provider is
 * disposed only after the calls it accepted have finished.
 */
import { type RefEntry, unavailableError } from './RefEntry.js';

type Method = (...args: unknown[]) => unknown;

const promiseThen = Promise.prototype.then;

function missingMethod(entry: RefEntry, property: PropertyKey): TypeError {
  return new TypeError(`The current provider of service '${entry.id}' has no method '${String(property)}'.`);
}

/**
 * Makes the live handle of `entry`. The registry calls this once per ref and hands out the same
 * object every time.
 *
 * @example
 * const writer = createLiveHandle<ConversationWriter>(entry);
 * await writer.write(conversation); // goes to whichever provider is best right now
 */
export function createLiveHandle<T extends object>(entry: RefEntry): T {
  const wrappers = new Map<PropertyKey, Method>();
  const wrapperFor = (property: PropertyKey): Method => {
    let wrapper = wrappers.get(property);
    if (wrapper === undefined) {
      // The call path. Kept in one small body (errors built in cold helpers) so V8 inlines it
      // into the caller; a separate helper here measured several times slower.
      wrapper = (...args: unknown[]): unknown => {
        const instance = entry.active;
        if (instance === undefined) throw unavailableError(entry);
        const impl = instance.impl as Record<PropertyKey, unknown>;
        const fn = impl[property];
        if (typeof fn !== 'function') throw missingMethod(entry, property);
        instance.inFlight += 1;
        let result: unknown;
        try {
          result = (fn as Method).apply(impl, args);
        } catch (err) {
          instance.release();
          throw err;
        }
        // Only a real promise is waited for, through the intrinsic `then`: any other thenable
        // (a lazy query builder, a `then` that throws or calls back twice) is the caller's to
        // settle, and touching it could run it or unbalance the count. The derived promise is
        // dropped on purpose: the caller keeps the original, identity and rejection unchanged.
        if (result instanceof Promise) void promiseThen.call(result, instance.release, instance.release);
        else instance.release();
        return result;
      };
      wrappers.set(property, wrapper);
    }
    return wrapper;
  };

  const handler: ProxyHandler<object> = {
    get(_target, property) {
      const instance = entry.active;
      if (instance === undefined) {
        // Without a provider, `then`, `toJSON` and symbols must read as absent so `await handle`,
        // inspection and JSON do not throw; any other member throws when called.
        if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
        // Logging or printing a handle must not throw either.
        if (property === 'toString' || property === 'valueOf') return () => `[live handle of service '${entry.id}', no provider]`;
        return wrapperFor(property);
      }
      const value = (instance.impl as Record<PropertyKey, unknown>)[property];
      return typeof value === 'function' ? wrapperFor(property) : value;
    },
    has(_target, property) {
      const instance = entry.active;
      return instance !== undefined && property in instance.impl;
    },
    set(_target, property, value) {
      const instance = entry.active;
      if (instance === undefined) throw unavailableError(entry);
      return Reflect.set(instance.impl, property, value);
    },
  };
  return new Proxy({}, handler) as T;
}
