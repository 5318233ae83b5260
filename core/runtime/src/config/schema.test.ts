import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueProblems } from './problems.js';
import { plugboardConfigSchema } from './schema.js';

describe('plugboardConfigSchema', () => {
  it('fills every default into an empty config', () => {
    expect(plugboardConfigSchema.parse({})).toEqual({
      server: { host: '127.0.0.1', port: 3000, bodyLimit: 1_048_576 },
      database: { embedded: { dataDir: '.plugboard/pgdata' } },
      logging: { level: 'info' },
      kernel: { startTimeout: '30s', stopTimeout: '30s', drainTimeout: '10s', watch: false, watchDebounce: '300ms' },
      plugins: {},
    });
  });

  it('applies the loader defaults of a plugin section and keeps its own keys', () => {
    expect(plugboardConfigSchema.parse({ plugins: { conversations: { cache: { max: 5 } } } }).plugins).toEqual({
      conversations: { enabled: true, onFailure: 'abort', cache: { max: 5 } },
    });
  });

  it('reports unknown keys, bad durations and bad plugin names with their paths', () => {
    const result = plugboardConfigSchema.safeParse({
      serverr: {},
      server: { port: 'x', prot: 1 },
      kernel: { drainTimeout: '10 seconds', startTimeout: true, stopTimeout: '30d' },
      plugins: { Conversations: {}, batching: { enabled: 'yes' } },
    });
    expect(result.success).toBe(false);
    expect(issueProblems(result.error!.issues)).toEqual([
      'server.port: Invalid input: expected number, received string',
      'server.prot: Unrecognized key',
      "kernel.startTimeout: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
      "kernel.stopTimeout: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
      "kernel.drainTimeout: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
      'plugins.Conversations: Invalid plugin name: use lower-case letters, digits and dashes, starting with a letter',
      'plugins.batching.enabled: Invalid input: expected boolean, received string',
      'serverr: Unrecognized key',
    ]);
  });

  it('converts to a JSON Schema with descriptions, for editors', () => {
    const schema = z.toJSONSchema(plugboardConfigSchema, { io: 'input' }) as {
      additionalProperties: boolean;
      properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.server?.properties?.port?.description).toBe('TCP port of the HTTP server (0 picks a free one).');
    expect(Object.keys(schema.properties)).toEqual(['server', 'database', 'logging', 'kernel', 'plugins']);
    expect(() => z.toJSONSchema(plugboardConfigSchema)).not.toThrow();
  });

  it('describes every key', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [key, child] of Object.entries(properties)) {
        if (typeof (child as { description?: unknown }).description !== 'string') undescribed.push(`${at}${key}`);
        walk(child, `${at}${key}.`);
      }
      walk((node as { additionalProperties?: unknown }).additionalProperties, `${at}*.`);
    };
    walk(z.toJSONSchema(plugboardConfigSchema, { io: 'input' }), '');
    expect(undescribed).toEqual([]);
  });
});
