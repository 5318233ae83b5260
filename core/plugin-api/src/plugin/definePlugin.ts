import semver from 'semver';
import { z } from 'zod';
import { PlugboardError } from '../errors/PlugboardError.js';
import type { PluginDefinition } from './types.js';

/** Marks a definition made by {@link definePlugin}; a global symbol, so copies of core agree. */
export const PLUGIN_BRAND = Symbol.for('plugboard.plugin');

/** Keys of a plugin's config section that belong to the loader, not to the plugin. */
export const RESERVED_PLUGIN_KEYS = ['enabled', 'from', 'onFailure', 'startTimeout', 'stopTimeout'] as const;

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
const COMMAND_PATTERN = /^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?$/;

/**
 * Declares a plugin. The module's default export must be the result.
 *
 * @example
 * export default definePlugin({
 *   name: 'greeter',
 *   version: '1.0.0',
 *   core: '^0.1.0',
 *   config: z.object({ greeting: z.string().default('hello') }),
 *   setup(ctx) {
 *     ctx.http.get('/api/greet', (c) => c.json({ message: ctx.config.greeting }));
 *   },
 * });
 */
export function definePlugin<S extends z.ZodType = z.ZodObject<{}>>(
  definition: PluginDefinition<S>,
): PluginDefinition<S> {
  const problems = definitionProblems(definition);
  if (problems.length > 0) {
    const name = typeof definition?.name === 'string' ? definition.name : '(unnamed)';
    throw new PlugboardError('pluginInvalid', `Plugin '${name}' is not valid: ${problems.join('; ')}.`, {
      details: { plugin: name, problems },
    });
  }
  return Object.freeze(Object.assign({}, definition, { [PLUGIN_BRAND]: true })) as PluginDefinition<S>;
}

/** True when `value` came from `definePlugin`. */
export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}

function definitionProblems(d: PluginDefinition<z.ZodType>): string[] {
  const problems: string[] = [];
  if (typeof d !== 'object' || d === null) return ['definePlugin() needs an object'];
  if (typeof d.name !== 'string' || !NAME_PATTERN.test(d.name)) {
    problems.push(`'name' must be lower-case letters, digits and dashes, starting with a letter (got ${JSON.stringify(d.name)})`);
  }
  if (typeof d.version !== 'string' || semver.valid(d.version) === null) {
    problems.push(`'version' must be a semver version such as '1.0.0' (got ${JSON.stringify(d.version)})`);
  }
  if (typeof d.core !== 'string' || semver.validRange(d.core) === null) {
    problems.push(`'core' must be a semver range such as '^0.1.0' (got ${JSON.stringify(d.core)})`);
  }
  for (const [dep, range] of Object.entries(d.dependsOn ?? {})) {
    if (semver.validRange(range) === null) {
      problems.push(`'dependsOn.${dep}' must be a semver range (got ${JSON.stringify(range)})`);
    }
  }
  if (typeof d.setup !== 'function') problems.push(`'setup' must be a function`);
  if (d.config !== undefined && !(d.config instanceof z.ZodType)) {
    problems.push(`'config' must be a zod schema`);
  }
  if (d.config instanceof z.ZodObject) {
    const clashing = Object.keys(d.config.shape).filter((k) => (RESERVED_PLUGIN_KEYS as readonly string[]).includes(k));
    if (clashing.length > 0) {
      problems.push(`config keys ${clashing.map((k) => `'${k}'`).join(', ')} are reserved for the loader; rename them`);
    }
  }
  const names = new Set<string>();
  for (const m of d.migrations ?? []) {
    if (names.has(m.name)) problems.push(`migration '${m.name}' is listed twice`);
    names.add(m.name);
  }
  const commands = new Set<string>();
  for (const c of d.commands ?? []) {
    if (typeof c?.name !== 'string' || !COMMAND_PATTERN.test(c.name)) {
      problems.push(`command name ${JSON.stringify(c?.name)} must be one or two words of lower-case letters, digits and dashes ('seed', 'db report')`);
    } else if (commands.has(c.name)) problems.push(`command '${c.name}' is listed twice`);
    commands.add(c?.name);
  }
  return problems;
}
