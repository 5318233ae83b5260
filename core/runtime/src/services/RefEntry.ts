/**
 * The registry's bookkeeping for one ref: its providers (best first), the instance that receives
 * new calls, and the plugins that declare they provide it. Kept apart from the registry so the
 * live handle can read it without knowing about registration.
 */
import { PlugboardError } from '@plugboard/plugin-api';
import { quoteList } from '@plugboard/plugin-api/internal';
import type { ProviderInfo } from '@plugboard/plugin-api';

/**
 * One implementation of a provider. A slot holds one at a time; `replace` gives it a new one
 * while the old one drains, so in-flight calls are counted per instance, not per slot.
 */
export interface ProviderInstance {
  readonly impl: object;
  readonly dispose: (() => void | Promise<void>) | undefined;
  inFlight: number;
  /** Set while the instance drains; called when `inFlight` drops to 0. */
  onDrained: (() => void) | undefined;
  /** Ends one call. Made once per instance so a call through a handle allocates no closure. */
  readonly release: () => void;
}

/** A registered provider: its place in the ranking and its current implementation. */
export interface ProviderSlot {
  readonly owner: string;
  readonly ranking: number;
  /** Registration order; breaks ranking ties in favour of the oldest. */
  readonly seq: number;
  readonly registeredAt: Date;
  current: ProviderInstance;
  /** Set once the slot is withdrawn; a second `unregister` returns it. */
  withdrawal: Promise<void> | undefined;
}

/**
 * What a live handle reads on each call: the instance that receives it. The registry sets
 * `active` whenever the ranking or an implementation changes, then calls `sync` so the handle
 * can bring its method forwarders in line with the new implementation.
 */
export interface HandleTarget {
  readonly id: string;
  active: ProviderInstance | undefined;
  sync: (() => void) | undefined;
}

/** Where a slot stands in the ranking: higher `ranking` first, then lower `seq`. */
export interface RankPosition {
  readonly ranking: number;
  readonly seq: number;
}

/**
 * The provider below one owner's own providers of a ref (`ctx.next`): the best slot of another
 * owner ranked below the lowest of the owner's slots. `floor` is that lowest slot's position,
 * kept after the owner's slots are withdrawn, so calls still draining on them keep going below
 * where they stood instead of back up the chain.
 */
export interface BelowTarget extends HandleTarget {
  readonly owner: string;
  floor: RankPosition | undefined;
  handle: object | undefined;
}

export interface RefEntry extends HandleTarget {
  description: string | undefined;
  /** Best first: highest ranking, then lowest `seq`. */
  readonly slots: ProviderSlot[];
  /** `slots[0].current`, precomputed: the only thing a call through a handle reads. */
  active: ProviderInstance | undefined;
  readonly declaredBy: Set<string>;
  handle: object | undefined;
  /** The `ctx.next` targets of this ref, by owner. */
  readonly below: Map<string, BelowTarget>;
}

export function createEntry(id: string, description: string | undefined): RefEntry {
  return {
    id,
    description,
    slots: [],
    active: undefined,
    sync: undefined,
    declaredBy: new Set(),
    handle: undefined,
    below: new Map(),
  };
}

/** True when `slot` ranks strictly below `position`. */
export function ranksBelow(slot: ProviderSlot, position: RankPosition): boolean {
  return slot.ranking < position.ranking || (slot.ranking === position.ranking && slot.seq > position.seq);
}

/**
 * Recomputes what `entry`'s handles call: the best slot for the main handle, and for each
 * `ctx.next` target the best slot of another owner below the target owner's lowest slot (or below
 * where it last stood; anywhere when it never had one). Calls a handle's `sync` when its
 * instance changed.
 */
export function refreshTargets(entry: RefEntry): void {
  setActive(entry, entry.slots[0]?.current);
  for (const target of entry.below.values()) {
    let lowestOwn: ProviderSlot | undefined;
    for (const slot of entry.slots) if (slot.owner === target.owner) lowestOwn = slot;
    if (lowestOwn !== undefined) target.floor = { ranking: lowestOwn.ranking, seq: lowestOwn.seq };
    const floor = target.floor;
    const next = entry.slots.find((slot) => slot.owner !== target.owner && (floor === undefined || ranksBelow(slot, floor)));
    setActive(target, next?.current);
  }
}

function setActive(target: HandleTarget, instance: ProviderInstance | undefined): void {
  if (target.active === instance) return;
  target.active = instance;
  target.sync?.();
}

export function createInstance(impl: object, dispose: (() => void | Promise<void>) | undefined): ProviderInstance {
  const instance: ProviderInstance = {
    impl,
    dispose,
    inFlight: 0,
    onDrained: undefined,
    release: () => {
      instance.inFlight -= 1;
      if (instance.inFlight === 0 && instance.onDrained !== undefined) instance.onDrained();
    },
  };
  return instance;
}

/** Inserts `slot` after every slot ranked at least as high, which keeps ties in registration order. */
export function insertSlot(entry: RefEntry, slot: ProviderSlot): void {
  const index = entry.slots.findIndex((other) => other.ranking < slot.ranking);
  if (index === -1) entry.slots.push(slot);
  else entry.slots.splice(index, 0, slot);
}

export function providerInfo(slot: ProviderSlot, instance: ProviderInstance = slot.current): ProviderInfo {
  return {
    owner: slot.owner,
    ranking: slot.ranking,
    inFlight: instance.inFlight,
    registeredAt: slot.registeredAt,
  };
}

/** The error of a call through a handle whose ref has no provider, saying which plugin to enable. */
export function unavailableError(entry: RefEntry): PlugboardError {
  return noProviderError(entry, [...entry.declaredBy].sort(), `No provider is registered for service '${entry.id}'`, '');
}

/**
 * The error of a call through `ctx.next` with no provider below the owner's own, saying which
 * other plugin to enable; plugins already running are ranked above it, so it names them apart.
 */
export function noneBelowError(entry: RefEntry, owner: string): PlugboardError {
  const running = new Set(entry.slots.map((slot) => slot.owner));
  const others = [...entry.declaredBy].filter((p) => p !== owner && !running.has(p)).sort();
  const above = [...running].filter((p) => p !== owner).sort();
  const prefix = `No provider of service '${entry.id}' is registered below those of plugin '${owner}', so its call through ctx.next has nowhere to go`;
  if (others.length === 0 && above.length > 0) {
    return new PlugboardError(
      'serviceUnavailable',
      `${prefix}: ${above.length === 1 ? 'plugin' : 'plugins'} ${quoteList(above)} ${above.length === 1 ? 'provides' : 'provide'} it ranked above. Install and enable a plugin that provides it at a lower ranking than '${owner}'.`,
      { details: { refId: entry.id, declaredBy: others, plugin: owner } },
    );
  }
  return noProviderError(entry, others, prefix, ` at a lower ranking than '${owner}'`, owner);
}

function noProviderError(
  entry: RefEntry,
  plugins: string[],
  prefix: string,
  where: string,
  owner?: string,
): PlugboardError {
  const details = { refId: entry.id, declaredBy: plugins, ...(owner === undefined ? {} : { plugin: owner }) };
  if (plugins.length === 0) {
    return new PlugboardError(
      'serviceUnavailable',
      `${prefix}, and no ${owner === undefined ? '' : 'other '}plugin declares it in 'provides'. Install and enable a plugin that provides it${where}.`,
      { details },
    );
  }
  const advice =
    plugins.length === 1
      ? `It is provided by plugin '${plugins[0]}'; enable it under plugins.${plugins[0]} in the config.`
      : `It is provided by plugins ${quoteList(plugins)}; enable one of them under plugins.<name> in the config.`;
  return new PlugboardError('serviceUnavailable', `${prefix}. ${advice}`, { details });
}
