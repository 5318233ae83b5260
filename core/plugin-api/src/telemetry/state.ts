/**
 * The process-wide telemetry switch state, shared by every copy of `@plugboard/core` in the
 * process (a third-party plugin may bundle its own), the way OpenTelemetry keeps its globals: one
 * object in a `globalThis` slot under a registry symbol. Whichever copy loads first creates it.
 */

/** A forwarding meter, as the switch sees it: told to move its observables to the new provider. */
export interface Rebindable {
  rebind(): void;
}

export interface TelemetryState {
  /** Bumped on every MeterProvider install or removal; instruments compare it on each call. */
  meterGeneration: number;
  /** Bumped on every TracerProvider install or removal. */
  tracerGeneration: number;
  /** Forwarding meters not yet closed: each holds observable callbacks to move on install. */
  readonly meters: Set<Rebindable>;
}

const SLOT = Symbol.for('plugboard.telemetry');

function shared(): TelemetryState {
  const slots = globalThis as unknown as Record<symbol, TelemetryState | undefined>;
  return (slots[SLOT] ??= { meterGeneration: 0, tracerGeneration: 0, meters: new Set() });
}

export const telemetryState: TelemetryState = shared();
