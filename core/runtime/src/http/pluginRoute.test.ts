import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { pluginRoute } from './pluginRoute.js';

it('finds the pattern of the route that matches, past `use` middleware, never the raw path', () => {
  const app = new Hono();
  app.use('*', async (_c, next) => next());
  app.use('/api/*', async (_c, next) => next());
  app.get('/api/users/:id', (c) => c.text('user'));
  app.get('/api/users/:id/conversations', (c) => c.text('list'));
  app.post('/api/conversations', (c) => c.text('made'));
  app.all('/api/any', (c) => c.text('any'));
  const sub = new Hono();
  sub.get('/items/:item', (c) => c.text('item'));
  app.route('/api/shop', sub);

  expect(pluginRoute(app, 'GET', '/api/users/42')).toBe('/api/users/:id');
  expect(pluginRoute(app, 'HEAD', '/api/users/42/conversations')).toBe('/api/users/:id/conversations');
  expect(pluginRoute(app, 'POST', '/api/conversations')).toBe('/api/conversations');
  expect(pluginRoute(app, 'DELETE', '/api/any')).toBe('/api/any');
  expect(pluginRoute(app, 'GET', '/api/shop/items/7')).toBe('/api/shop/items/:item');
  // Only middleware on wildcards matches: no route.
  expect(pluginRoute(app, 'GET', '/api/nothing/here')).toBeUndefined();
});
