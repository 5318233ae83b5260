/**
 * Rules other plugins ship: the `alerts.rules` ref the alerts plugin provides, and the helper a
 * plugin calls in its setup. Rules come back when the alerts plugin starts after the contributor,
 * or restarts (re-added on the ref's registry events), and go when the contributor stops.
 */
import { PlugboardError, serviceRef, type PluginContext } from '@plugboard/plugin-api';
import type { AlertRuleInput } from './schema.js';

/** What `alerts.rules` provides. */
export interface AlertRulesRegistry {
  /**
   * Adds (or replaces) the rules of `owner`; returns the undo. Throws an `invalidArgument`
   * PlugboardError naming each bad rule and field (`rules[1].expr: …`); then nothing is added.
   */
  add(owner: string, rules: readonly AlertRuleInput[]): () => void;
}

export const alertRulesRef = serviceRef<AlertRulesRegistry>('alerts.rules', {
  description: 'Alert rules shipped by plugins',
});

/**
 * Ships `rules` to the alerts plugin for as long as the calling plugin runs. Declare
 * `optionalConsumes: [alertRulesRef]`; without the alerts plugin this does nothing until it starts.
 * Bad rules throw here, in setup, naming the field.
 *
 * @example
 * setup(ctx) {
 *   shipAlertRules(ctx, [{ name: 'ManyRetries', expr: 'rate(plugboard.batch.retries[5m])', threshold: 1, metrics: { 'plugboard.batch.retries': { kind: 'counter' } } }]);
 * }
 */
export function shipAlertRules(ctx: PluginContext<unknown>, rules: readonly AlertRuleInput[]): void {
  let undo: (() => void) | undefined;
  const add = (): void => {
    let registry: AlertRulesRegistry;
    try {
      registry = ctx.get(alertRulesRef);
      undo = registry.add(ctx.name, rules);
    } catch (err) {
      if (PlugboardError.is(err, 'serviceUnavailable')) return;
      throw err;
    }
  };
  add();
  ctx.onServiceEvent((event) => {
    if (event.refId !== alertRulesRef.id) return;
    if (event.type === 'registered' || (event.type === 'replaced' && event.current)) {
      try {
        add();
      } catch (err) {
        ctx.logger.error({ err }, 'the alerts plugin refused the alert rules of this plugin');
      }
    }
  });
  ctx.onStop(() => {
    try {
      undo?.();
    } catch (err) {
      if (!PlugboardError.is(err, 'serviceUnavailable')) throw err;
    }
  });
}
