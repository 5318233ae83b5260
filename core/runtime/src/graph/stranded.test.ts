import { describe, expect, it } from 'vitest';
import type { GraphNode } from './DependencyGraph.js';
import { stranded } from './stranded.js';

const node = (name: string, parts: Partial<GraphNode> = {}): GraphNode => ({
  name,
  version: '1.0.0',
  dependsOn: {},
  consumes: [],
  optionalConsumes: [],
  provides: [],
  ...parts,
});
const core = new Set(['core.database']);

describe('stranded', () => {
  it('keeps consumers of a ref that another plugin still provides', () => {
    const nodes = [
      node('conversations', { provides: ['conversations.writer'], consumes: ['conversations.writer'] }),
      node('batching', { provides: ['conversations.writer'], dependsOn: { conversations: '*' } }),
      node('importer', { consumes: ['conversations.writer'] }),
    ];
    expect(stranded(nodes, 'batching', core)).toEqual([]);
    expect(stranded(nodes, 'conversations', core)).toEqual(['importer', 'batching']);
  });

  it('follows dependents of dependents and lists them in stop order', () => {
    const nodes = [
      node('metrics', { provides: ['metrics.reader'] }),
      node('alerts', { consumes: ['metrics.reader', 'core.database'], provides: ['alerts.engine'] }),
      node('dashboard', { consumes: ['alerts.engine'] }),
      node('pager', { dependsOn: { alerts: '*' } }),
      node('other'),
    ];
    expect(stranded(nodes, 'metrics', core)).toEqual(['dashboard', 'pager', 'alerts']);
    expect(stranded(nodes, 'other', core)).toEqual([]);
  });

  it('ignores optional consumes', () => {
    const nodes = [node('metrics', { provides: ['metrics.reader'] }), node('dashboard', { optionalConsumes: ['metrics.reader'] })];
    expect(stranded(nodes, 'metrics', core)).toEqual([]);
  });
});
