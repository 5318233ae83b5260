import { describe, expect, it } from 'vitest';
import { bytes, ms, VIEWS } from '../public/views.js';

describe('the panel views', () => {
  it('formats durations and sizes for people', () => {
    expect([ms(0.5), ms(12.345), ms(1500), ms(90_000), ms(3_600_000), ms(undefined)]).toEqual(['0.5 ms', '12.3 ms', '1.5 s', '1.5 min', '1 h', '']);
    expect([bytes(512), bytes(1536), bytes(2_500_000)]).toEqual(['512 B', '1.54 kB', '2.5 MB']);
  });

  it('lists a plugin that depends on another for two reasons once, and offers Disable while it runs', () => {
    const [table] = VIEWS.plugins([
      {
        name: 'alerts',
        version: '0.1.0',
        description: '',
        state: 'started',
        enabled: true,
        dependencies: [
          { plugin: 'metrics', reason: 'dependsOn' },
          { plugin: 'metrics', reason: "consumes 'metrics.reader'" },
        ],
        provides: [],
        consumes: [],
      },
    ]);
    expect(table!.kind === 'table' && table!.rows[0]).toEqual([
      { text: 'alerts', cls: 'name' },
      '0.1.0',
      { text: 'started', cls: 'state state-started' },
      'metrics',
      '',
      '',
      { text: 'Disable', action: 'disable', arg: 'alerts', cls: undefined },
    ]);
  });

  it("says how to turn a panel's plugin on when it is off", () => {
    expect(VIEWS.alerts({ available: false, plugin: 'alerts', reason: 'No alerts: off.' })).toEqual([
      { kind: 'unavailable', text: 'No alerts: off.', plugin: 'alerts' },
    ]);
  });
});
