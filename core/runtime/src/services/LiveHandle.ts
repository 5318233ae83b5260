/**
 * Live handles: the stable object a consumer holds for a ref. Every method call is routed, at the
 * moment of the call, to the ref's current best provider, and counted as in flight on that
 * provider's instance until it returns (or, for a promise, settles), so a withdrawn provider is
 * disposed only after the calls it accepted have finished.
 *
 * A handle is a plain object with one own forwarder per method of its current provider, so the
 * common call (`writer.write(c)`) is an ordinary property load and function call. Its prototype is
 * a Proxy that answers everything else with the full semantics: no provider, `then`, `toJSON` and
 * symbols reading as absent, printing, missing methods, value properties, `in`, assignment. The
 * forwarders are brought in line with the provider at each swap (`sync`), never on the call path.
 */
import type { HandleTarget } from './RefEntry.js';

type Method = (...args: unknown[]) => unknown;

const promiseThen = Promise.prototype.then;

function missingMethod(target: HandleTarget, property: PropertyKey): TypeError {
  return new TypeError(`The current provider of service '${target.id}' has no method '${String(property)}'.`);
}

/** How a handle tells its callers that there is no provider, and how it prints then. */
export interface HandleOptions {
  unavailable: () => Error;
  /** What `String(handle)` gives without a provider. */
  printed: string;
}

/**
 * Makes the live handle of `target` and sets `target.sync`. The registry calls this once per
 * target and hands out the same object every time.
 *
 * @example
 * const writer = createLiveHandle<ConversationWriter>(entry, { unavailable: () => unavailableError(entry), printed });
 * await writer.write(conversation); // goes to whichever provider is best right now
 */
export function createLiveHandle<T extends object>(target: HandleTarget, options: HandleOptions): T {
  const { unavailable, printed } = options;
  const forwarders = new Map<PropertyKey, Method>();
  const forwarderFor = (property: PropertyKey): Method => {
    let forwarder = forwarders.get(property);
    if (forwarder === undefined) {
      // The call path. Kept in one small body (errors built in cold helpers) so V8 inlines it
      // into the caller; `fn.apply(impl, arguments)` is a pattern V8 forwards without building
      // an arguments array, where rest parameters allocate one.
      forwarder = function forward(this: unknown): unknown {
        const instance = target.active;
        if (instance === undefined) throw unavailable();
        const impl = instance.impl as Record<PropertyKey, unknown>;
        const fn = impl[property];
        if (typeof fn !== 'function') throw missingMethod(target, property);
        instance.inFlight += 1;
        let result: unknown;
        try {
          result = (fn as Method).apply(impl, arguments as unknown as unknown[]);
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
      forwarders.set(property, forwarder);
    }
    return forwarder;
  };

  const assign = (property: PropertyKey, value: unknown): boolean => {
    const instance = target.active;
    if (instance === undefined) throw unavailable();
    return Reflect.set(instance.impl, property, value);
  };

  const handler: ProxyHandler<object> = {
    get(_target, property) {
      const instance = target.active;
      if (instance === undefined) {
        // Without a provider, `then`, `toJSON` and symbols must read as absent so `await handle`,
        // inspection and JSON do not throw; any other member throws when called.
        if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
        // Logging or printing a handle must not throw either.
        if (property === 'toString' || property === 'valueOf') return () => printed;
        return forwarderFor(property);
      }
      const value = (instance.impl as Record<PropertyKey, unknown>)[property];
      return typeof value === 'function' ? forwarderFor(property) : value;
    },
    has(_target, property) {
      const instance = target.active;
      return instance !== undefined && property in instance.impl;
    },
    set: (_target, property, value) => assign(property, value),
  };
  const handle = Object.create(new Proxy({}, handler)) as Record<PropertyKey, unknown>;

  /** Names that own forwarders answer: the provider's methods, minus those whose reading the Proxy must decide. */
  const installed = new Set<string>();
  target.sync = () => {
    const instance = target.active;
    const names = instance === undefined ? new Set<string>() : methodNames(instance.impl);
    for (const name of installed) {
      if (names.has(name)) continue;
      delete handle[name];
      installed.delete(name);
    }
    for (const name of names) {
      if (installed.has(name)) continue;
      // An accessor, so an assignment reaches the provider as through the Proxy, instead of
      // shadowing the forwarder on the handle itself. V8 inlines the getter at the call site.
      const forwarder = forwarderFor(name);
      Object.defineProperty(handle, name, {
        get: () => forwarder,
        set: (value: unknown) => {
          if (!assign(name, value)) throw new TypeError(`Cannot assign to read only property '${name}' of the provider of service '${target.id}'.`);
        },
        configurable: true,
        enumerable: false,
      });
      installed.add(name);
    }
  };
  target.sync();
  return handle as T;
}

/** Names the Proxy keeps answering even when a provider has a method of that name. */
const RESERVED = new Set(['then', 'toJSON', 'constructor', 'toString', 'valueOf']);
/** Per prototype: the method names of its chain, computed once per class. */
const chainsByPrototype = new WeakMap<object, readonly string[]>();

/**
 * The string-named methods of `impl`: own and inherited data properties holding a function,
 * nearest definition first, up to `Object.prototype`. Accessors and shadowing values are left to
 * the Proxy, so computing this runs no getter.
 */
function methodNames(impl: object): Set<string> {
  const names = new Set<string>();
  const defined = new Set<string>();
  addLevel(impl, names, defined);
  const proto = Object.getPrototypeOf(impl) as object | null;
  if (proto !== null && !isBase(proto)) {
    let chain = chainsByPrototype.get(proto);
    if (chain === undefined) {
      const methods = new Set<string>();
      const chainDefined = new Set<string>();
      for (let p: object | null = proto; p !== null && !isBase(p); p = Object.getPrototypeOf(p) as object | null) {
        addLevel(p, methods, chainDefined);
      }
      chain = [...methods];
      chainsByPrototype.set(proto, chain);
    }
    for (const name of chain) if (!defined.has(name)) names.add(name);
  }
  return names;
}

function isBase(object: object): boolean {
  return object === Object.prototype || object === Function.prototype;
}

/** Adds the methods `object` defines itself to `names`, unless a nearer level already defined the name. */
function addLevel(object: object, names: Set<string>, defined: Set<string>): void {
  for (const name of Object.getOwnPropertyNames(object)) {
    if (defined.has(name)) continue;
    defined.add(name);
    if (RESERVED.has(name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(object, name);
    if (descriptor !== undefined && 'value' in descriptor && typeof descriptor.value === 'function') names.add(name);
  }
}
