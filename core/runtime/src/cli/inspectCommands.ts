import { z } from 'zod';
import { plugboardConfigSchema, pluginSectionSchema } from '../config/schema.js';
import { graphOfConfig } from '../kernel/configGraph.js';
import { loadConfig, type LoadedConfig } from '../kernel/loadConfig.js';
import { CORE_VERSION } from '../version.js';

export function readConfig(path: string): Promise<LoadedConfig> {
  return loadConfig({ path, coreVersion: CORE_VERSION });
}

/** `plugboard config check`: every problem of a config file, or a one-line summary. */
export async function configCheckCommand(path: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = await readConfig(path);
  const enabled = [...config.plugins.values()].filter((p) => p.enabled);
  graphOfConfig(config);
  out.write(`${config.path} is valid: ${enabled.length} plugin(s) enabled, ${config.plugins.size - enabled.length} disabled.\n`);
}

/** `plugboard plugins`: the start order, and why each plugin comes where it does. */
export async function pluginsCommand(path: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = await readConfig(path);
  const graph = graphOfConfig(config);
  out.write(`Start order (stop order is the reverse), from ${config.path}:\n`);
  graph.levels().forEach((level, i) => {
    for (const name of level) {
      const p = config.plugins.get(name)!;
      const why = graph.dependenciesOf(name).map((d) => `after '${d.plugin}' (${d.reason})`);
      out.write(`  ${i + 1}. ${name} ${p.definition.version}  ${why.length > 0 ? why.join(', ') : 'no dependencies'}  [${p.source}]\n`);
    }
  });
  const disabled = [...config.plugins.values()].filter((p) => !p.enabled);
  if (disabled.length > 0) out.write(`Disabled: ${disabled.map((p) => p.name).join(', ')}\n`);
  for (const name of config.unresolved) out.write(`Not found (disabled, so not an error): ${name}\n`);
}

/**
 * The JSON schema of the config file for editors: core's keys plus, under each plugin's key,
 * that plugin's own schema merged with the loader's reserved keys.
 */
export async function configSchema(path: string): Promise<Record<string, unknown>> {
  const config = await readConfig(path);
  const pluginSchemas: Record<string, z.ZodType> = {};
  for (const p of config.plugins.values()) {
    const own = p.definition.config;
    const reserved = pluginSectionSchema;
    pluginSchemas[p.name] =
      own instanceof z.ZodObject ? reserved.extend(own.shape).strict().describe(p.definition.description ?? reserved.description ?? '') : reserved;
  }
  const schema = plugboardConfigSchema.extend({
    plugins: z
      .looseObject(pluginSchemas)
      .optional()
      .describe('The plugins, by name.'),
  });
  return {
    ...allowSubstitutions(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
    title: 'Plugboard config (config/plugboard.yaml)',
  };
}

const SUBSTITUTION = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}' };

/**
 * Lets every scalar also be a `${NAME:-default}` substitution, which the loader replaces before
 * validating; without this an editor would flag `port: ${PLUGBOARD_PORT:-3000}` as not a number.
 */
function allowSubstitutions(node: unknown): Record<string, unknown> {
  if (typeof node !== 'object' || node === null) return node as Record<string, unknown>;
  const schema = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, allowSubstitutions(v)]));
    } else if (key === 'additionalProperties' && typeof value === 'object' && value !== null) {
      out[key] = allowSubstitutions(value);
    } else {
      out[key] = value;
    }
  }
  const scalar = ['string', 'number', 'integer', 'boolean'].includes(schema['type'] as string);
  if (!scalar || schema['type'] === 'string') return out;
  const { description, default: fallback, ...rest } = out;
  return { ...(description ? { description } : {}), ...(fallback !== undefined ? { default: fallback } : {}), anyOf: [rest, SUBSTITUTION] };
}
