/**
 * Public API of the alerts plugin; other packages import only from here.
 *
 * @example
 * import { alertsRef, alertRulesRef, shipAlertRules } from '@plugboard/plugin-alerts';
 */
export { default } from './plugin.js';
export * from './contract.js';
export { alertRulesRef, shipAlertRules, type AlertRulesRegistry } from './rules/shipped.js';
export { alertRuleInputSchema, type AlertRuleInput } from './rules/schema.js';
export { BUILTIN_RULES } from './rules/builtin.js';
