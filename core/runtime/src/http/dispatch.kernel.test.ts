import pino from 'pino';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '@plugboard/plugin-api';
import { Kernel } from '../kernel/Kernel.js';
import { loadedConfigOf } from '../kernel/__fixtures__/loadedConfig.js';
import { createHttpApp } from './createHttpApp.js';

const logger = pino({ level: 'silent' });

it('a request one plugin passes on goes to the current instance of the next, even if that one restarted meanwhile', async () => {
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = definePlugin({
    name: 'a',
    version: '1.0.0',
    core: '^0.1.0',
    setup(ctx) {
      ctx.http.get('/thing', async (c) => {
        events.push('a has the request');
        await gate;
        return c.notFound();
      });
    },
  });
  let starts = 0;
  const second = definePlugin({
    name: 'b',
    version: '1.0.0',
    core: '^0.1.0',
    config: z.object({ n: z.number() }),
    setup(ctx) {
      const me = ++starts;
      ctx.http.get('/thing', (c) => c.text(`b #${me}`));
      ctx.onStop(() => void events.push(`stop b #${me}`));
    },
  });
  const config = (n: number) => loadedConfigOf([first, { def: second, config: { n } }]);
  const kernel = new Kernel({ config: config(1), logger });
  await kernel.start();
  const app = createHttpApp({ kernel, logger, bodyLimit: 4096 });
  const response = app.request('/thing');
  await until(() => events.includes('a has the request'));
  expect((await kernel.reload(config(2))).restarted).toEqual(['b']);
  release();
  const res = await response;
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('b #2');
  expect(events).toEqual(['a has the request', 'stop b #1']);
  await kernel.stop();
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
