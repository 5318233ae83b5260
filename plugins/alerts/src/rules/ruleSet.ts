/**
 * The rules the engine runs: the built-ins (with the config's overrides), the config's own and
 * those plugins shipped. Names must be unique; problems are reported with the path of the field.
 */
import { PlugboardError } from '@plugboard/plugin-api';
import { ZodError } from 'zod';
import type { AlertsConfig } from '../config.js';
import { BUILTIN_RULES } from './builtin.js';
import { compileRule, type AlertRuleInput, type CompiledRule } from './schema.js';

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/\.\[/g, '[');
}

/**
 * Compiles `inputs`, each problem as `<prefix>[i].<field>: <message>`; throws an `invalidArgument`
 * PlugboardError listing all of them.
 */
export function compileRules(inputs: readonly AlertRuleInput[], source: string, prefix: string): CompiledRule[] {
  const problems: string[] = [];
  const compiled: CompiledRule[] = [];
  inputs.forEach((input, i) => {
    try {
      compiled.push(compileRule(input, source));
    } catch (err) {
      if (!(err instanceof ZodError)) throw err;
      for (const issue of err.issues) problems.push(`${pathText(`${prefix}[${i}]`, issue.path)}: ${issue.message}`);
    }
  });
  const seen = new Set<string>();
  compiled.forEach((r) => {
    if (seen.has(r.name)) problems.push(`${prefix}: the rule name '${r.name}' is used twice; give each rule its own name`);
    seen.add(r.name);
  });
  if (problems.length > 0) {
    throw new PlugboardError('invalidArgument', `Invalid alert rules from '${source}': ${problems.join('; ')}.`, { details: { problems } });
  }
  return compiled;
}

/** The built-in rules with the config's overrides applied, disabled ones left out. */
export function builtinInputs(config: AlertsConfig): AlertRuleInput[] {
  return BUILTIN_RULES.flatMap((rule) => {
    const override = config.builtins[rule.name];
    if (override?.enabled === false) return [];
    const { enabled: _enabled, ...changes } = override ?? {};
    return [{ ...rule, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) }];
  });
}

/** Every rule, or a PlugboardError naming the first clash between sources. */
export function assembleRules(config: AlertsConfig, shipped: ReadonlyMap<string, readonly CompiledRule[]>): CompiledRule[] {
  const all = [...compileRules(builtinInputs(config), 'builtin', 'plugins.alerts.builtins'), ...compileRules(config.rules, 'config', 'plugins.alerts.rules')];
  for (const rules of shipped.values()) all.push(...rules);
  const byName = new Map<string, CompiledRule>();
  for (const rule of all) {
    const other = byName.get(rule.name);
    if (other) {
      throw new PlugboardError('invalidArgument', `Alert rule '${rule.name}' comes from both '${other.source}' and '${rule.source}': rename one of them.`);
    }
    byName.set(rule.name, rule);
  }
  return all;
}
