import { describe, expect, it } from 'vitest';
import { renderBlock, renderPage } from './page.js';

const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

describe('renderBlock', () => {
  it('escapes every value: text, captions, buttons and their arguments', async () => {
    const out = String(
      await renderBlock({
        kind: 'table',
        caption: HOSTILE,
        columns: [HOSTILE],
        rows: [[HOSTILE, { text: HOSTILE, cls: 'x" onclick="y' }, { text: HOSTILE, action: 'disable', arg: '"><script>' }]],
      }),
    );
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('" onclick="');
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it("says what to do when a panel's plugin is off, with an enable button", async () => {
    const out = String(await renderBlock({ kind: 'unavailable', text: 'No alerts: off.', plugin: 'alerts' }));
    expect(out).toBe(
      '<div class="unavailable" data-plugin="alerts"><p>No alerts: off.</p><button type="button" data-action="enable" data-arg="alerts">Enable alerts</button></div>',
    );
  });
});

describe('renderPage', () => {
  it('has no inline script or style, and only relative URLs', async () => {
    const out = String(
      await renderPage({
        state: undefined,
        overview: undefined,
        metricsOff: undefined,
        needsToken: true,
        adminEnabled: true,
        intervalMs: 1000,
        fleet: false,
        assetVersion: 'v1',
      }),
    );
    expect(out).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(out).not.toMatch(/<style|style="/);
    expect(out).not.toMatch(/ on[a-z]+=/);
    const urls = [...out.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(3);
    for (const u of urls) expect(u).toMatch(/^dashboard\/assets\//);
    expect(out).toContain('data-locked="true"');
  });
});
