import { describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { DependencyGraph } from './DependencyGraph.js';
import type { GraphNode, GraphOptions } from './DependencyGraph.js';

const options: GraphOptions = { coreRefIds: new Set(['core.database', 'core.runtime']) };

function node(name: string, partial: Partial<GraphNode> = {}): GraphNode {
  return { name, version: '0.1.0', dependsOn: {}, consumes: [], optionalConsumes: [], provides: [], ...partial };
}

function buildError(enabled: GraphNode[], opts: GraphOptions = options): PlugboardError {
  try {
    DependencyGraph.build(enabled, opts);
  } catch (err) {
    if (PlugboardError.is(err)) return err;
    throw err;
  }
  throw new Error('expected DependencyGraph.build to throw');
}

describe('DependencyGraph ordering', () => {
  it('starts every plugin after what it depends on, ties in input order', () => {
    const graph = DependencyGraph.build(
      [
        node('alerts', { dependsOn: { metrics: '^0.1.0' } }),
        node('zeta'),
        node('metrics'),
        node('dashboard', { dependsOn: { alerts: '*', metrics: '*' } }),
        node('alpha'),
      ],
      options,
    );
    expect(graph.order()).toEqual(['zeta', 'metrics', 'alerts', 'dashboard', 'alpha']);
    expect(graph.levels()).toEqual([['zeta', 'metrics', 'alpha'], ['alerts'], ['dashboard']]);
  });

  it('keeps the input order when nothing depends on anything', () => {
    const graph = DependencyGraph.build([node('c'), node('a'), node('b')], options);
    expect(graph.order()).toEqual(['c', 'a', 'b']);
    expect(graph.levels()).toEqual([['c', 'a', 'b']]);
  });

  it('adds an edge to the provider of a consumed ref, and none for core refs', () => {
    const graph = DependencyGraph.build(
      [
        node('alerts', { consumes: ['metrics.reader', 'core.database'] }),
        node('metrics', { provides: ['metrics.reader'], consumes: ['core.runtime'] }),
      ],
      options,
    );
    expect(graph.order()).toEqual(['metrics', 'alerts']);
    expect(graph.dependenciesOf('alerts')).toEqual([{ plugin: 'metrics', reason: "consumes 'metrics.reader'" }]);
    expect(graph.dependenciesOf('metrics')).toEqual([]);
  });

  it('lets a plugin that provides what it consumes depend on another provider without a cycle', () => {
    const conversations = node('conversations', {
      consumes: ['conversations.writer', 'core.database'],
      provides: ['conversations.writer', 'users.updater'],
    });
    const batching = node('batching', {
      dependsOn: { conversations: '^0.1.0' },
      consumes: ['conversations.writer'],
      provides: ['conversations.writer'],
    });
    const graph = DependencyGraph.build([batching, conversations], options);
    expect(graph.order()).toEqual(['conversations', 'batching']);
    expect(graph.dependenciesOf('batching')).toEqual([{ plugin: 'conversations', reason: "dependsOn '^0.1.0'" }]);
    expect(graph.dependenciesOf('conversations')).toEqual([]);
  });

  it('orders optional consumers after enabled providers and ignores missing ones', () => {
    const graph = DependencyGraph.build(
      [
        node('dashboard', { optionalConsumes: ['alerts.engine', 'metrics.reader'] }),
        node('metrics', { provides: ['metrics.reader'] }),
      ],
      options,
    );
    expect(graph.order()).toEqual(['metrics', 'dashboard']);
    expect(graph.dependenciesOf('dashboard')).toEqual([{ plugin: 'metrics', reason: "consumes 'metrics.reader'" }]);
  });

  it('rejects questions about a plugin that is not in the graph', () => {
    const graph = DependencyGraph.build([node('a')], options);
    expect(graph.order()).toEqual(['a']);
    expect(() => graph.dependenciesOf('b')).toThrow("Plugin 'b' is not in the dependency graph; it is not enabled.");
  });
});

describe('DependencyGraph problems', () => {
  it('reports a two-plugin cycle with its full path', () => {
    const err = buildError([
      node('alerts', { dependsOn: { metrics: '*' } }),
      node('metrics', { consumes: ['alerts.engine'] }),
      node('dashboard'),
      node('x', { provides: ['alerts.engine'], dependsOn: { alerts: '*' } }),
      node('y', { provides: ['alerts.engine'] }),
    ]);
    expect(err.kind).toBe('circularDependency');
    expect(err.message).toBe("Plugin dependency cycle: 'alerts' -> 'metrics' -> 'x' -> 'alerts'.");
  });

  it('reports each distinct cycle once, from its earliest plugin', () => {
    const err = buildError([
      node('alerts', { dependsOn: { metrics: '*' } }),
      node('metrics', { dependsOn: { alerts: '*' } }),
      node('a', { dependsOn: { b: '*' } }),
      node('b', { dependsOn: { c: '*' } }),
      node('c', { dependsOn: { a: '*' } }),
      node('self', { dependsOn: { self: '*' } }),
    ]);
    expect(err.kind).toBe('circularDependency');
    expect(err.details.problems).toEqual([
      "Plugin dependency cycle: 'alerts' -> 'metrics' -> 'alerts'.",
      "Plugin dependency cycle: 'a' -> 'b' -> 'c' -> 'a'.",
      "Plugin dependency cycle: 'self' -> 'self'.",
    ]);
    expect(err.message).toBe((err.details.problems as string[]).join('\n'));
  });

  it('says whether a missing dependency is disabled or not in the config', () => {
    const err = buildError([node('batching', { dependsOn: { conversations: '^0.1.0', queue: '^1.0.0' } })], {
      ...options,
      known: [node('conversations'), node('batching')],
    });
    expect(err.kind).toBe('missingDependency');
    expect(err.details.problems).toEqual([
      "Plugin 'batching' depends on plugin 'conversations', which is disabled. Set plugins.conversations.enabled: true, or disable 'batching'.",
      "Plugin 'batching' depends on plugin 'queue', which is not in the config. Add it under plugins.queue, or remove the dependency.",
    ]);
  });

  it('reports a dependency whose version is out of range', () => {
    const err = buildError([
      node('conversations', { version: '0.1.0' }),
      node('batching', { dependsOn: { conversations: '^2.0.0' } }),
    ]);
    expect(err.kind).toBe('versionMismatch');
    expect(err.message).toBe(
      "Plugin 'batching' needs plugin 'conversations' '^2.0.0', but version 0.1.0 is enabled. Install a version of 'conversations' in that range, or a version of 'batching' that works with 0.1.0.",
    );
  });

  it('accepts prerelease versions inside a range', () => {
    const graph = DependencyGraph.build(
      [node('conversations', { version: '0.1.1-beta.1' }), node('batching', { dependsOn: { conversations: '^0.1.0' } })],
      options,
    );
    expect(graph.order()).toEqual(['conversations', 'batching']);
  });

  it('says which disabled plugin to enable for a consumed ref, or that none is known', () => {
    const err = buildError([node('alerts', { consumes: ['metrics.reader', 'alerts.notifier'] })], {
      ...options,
      known: [node('metrics', { provides: ['metrics.reader'] }), node('alerts')],
    });
    expect(err.kind).toBe('missingDependency');
    expect(err.details.problems).toEqual([
      "Plugin 'alerts' consumes service 'metrics.reader', which no enabled plugin provides. Enable 'metrics' (plugins.metrics.enabled: true).",
      "Plugin 'alerts' consumes service 'alerts.notifier', which no enabled plugin provides; no known plugin provides it. Add a plugin that provides 'alerts.notifier'.",
    ]);
  });

  it('names every known provider when several could be enabled', () => {
    const err = buildError([node('alerts', { consumes: ['metrics.reader'] })], {
      ...options,
      known: [node('metrics', { provides: ['metrics.reader'] }), node('otel', { provides: ['metrics.reader'] })],
    });
    expect(err.message).toBe(
      "Plugin 'alerts' consumes service 'metrics.reader', which no enabled plugin provides. Enable one of 'metrics' or 'otel' (plugins.<name>.enabled: true).",
    );
  });

  it('reports cycles first and uses circularDependency when problems are mixed', () => {
    const err = buildError([
      node('a', { dependsOn: { b: '^9.0.0', gone: '*' } }),
      node('b', { dependsOn: { a: '*' } }),
    ]);
    expect(err.kind).toBe('circularDependency');
    expect(err.details.problems).toEqual([
      "Plugin dependency cycle: 'a' -> 'b' -> 'a'.",
      "Plugin 'a' needs plugin 'b' '^9.0.0', but version 0.1.0 is enabled. Install a version of 'b' in that range, or a version of 'a' that works with 0.1.0.",
      "Plugin 'a' depends on plugin 'gone', which is not in the config. Add it under plugins.gone, or remove the dependency.",
    ]);
  });
});
