import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueProblems } from './problems.js';
import { plugboardConfigSchema } from './schema.js';

describe('plugboardConfigSchema', () => {
  it('fills every default into an empty config', () => {
    expect(plugboardConfigSchema.parse({})).toEqual({
      server: {
        host: '127.0.0.1',
        port: 3000,
        adminMaxFailures: 10,
        adminFailureWindow: '5m',
        bodyLimit: 1_048_576,
        headersTimeout: '10s',
        requestTimeout: '30s',
        keepAliveTimeout: '5s',
        maxConnections: 1024,
      },
      database: { embedded: { dataDir: '.plugboard/pgdata' }, statementTimeout: '5s', acquireTimeout: '2s', pool: { max: 10 } },
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

  it('refuses an admin token that is short, blank or has whitespace, naming the key; empty turns the API off', () => {
    const problems = (adminToken: string) => {
      const result = plugboardConfigSchema.safeParse({ server: { adminToken } });
      return result.success ? [] : issueProblems(result.error.issues);
    };
    expect(problems('x')).toEqual([
      "server.adminToken: The admin token is 1 character long, shorter than the 16 required: set server.adminToken (or PLUGBOARD_ADMIN_TOKEN) to a secret of at least 16 characters (for example from 'openssl rand -hex 32'), or leave it empty to turn the admin API off",
    ]);
    expect(problems('0123456789abcde')).toEqual([
      "server.adminToken: The admin token is 15 characters long, shorter than the 16 required: set server.adminToken (or PLUGBOARD_ADMIN_TOKEN) to a secret of at least 16 characters (for example from 'openssl rand -hex 32'), or leave it empty to turn the admin API off",
    ]);
    expect(problems(' \t  ')).toEqual([
      'server.adminToken: The admin token is blank (only whitespace), so no request could send it: set server.adminToken (or PLUGBOARD_ADMIN_TOKEN) to a secret of at least 16 characters, or leave it empty to turn the admin API off',
    ]);
    expect(problems('0123456789 abcdef')).toEqual([
      'server.adminToken: The admin token contains whitespace, which a bearer token cannot carry: set server.adminToken (or PLUGBOARD_ADMIN_TOKEN) to a secret of at least 16 characters, or leave it empty to turn the admin API off',
    ]);
    expect(problems('0123456789abcdef')).toEqual([]);
    expect(problems('')).toEqual([]);
  });

  it('refuses zero timeouts and a headers timeout longer than the request timeout', () => {
    const problems = (server: Record<string, unknown>) => {
      const result = plugboardConfigSchema.safeParse({ server });
      return result.success ? [] : issueProblems(result.error.issues);
    };
    expect(problems({ headersTimeout: '1m' })).toEqual([
      'server.headersTimeout: The headers timeout (60000 ms) is longer than server.requestTimeout (30000 ms), which covers the headers too: shorten server.headersTimeout or lengthen server.requestTimeout',
    ]);
    expect(problems({ keepAliveTimeout: 0, requestTimeout: '0s', maxConnections: -1, adminMaxFailures: 0 })).toEqual([
      'server.adminMaxFailures: Too small: expected number to be >0',
      "server.requestTimeout: Invalid duration: it must be more than 0, such as '500ms', '10s' or '1m'",
      "server.keepAliveTimeout: Invalid duration: it must be more than 0, such as '500ms', '10s' or '1m'",
      'server.maxConnections: Too small: expected number to be >=0',
    ]);
    expect(problems({ headersTimeout: 'soon' })).toEqual([
      "server.headersTimeout: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
    ]);
    expect(problems({ headersTimeout: '2s', requestTimeout: '2s', maxConnections: 0 })).toEqual([]);
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
