import { definePlugin, durationSchema, parseParams, serviceRef, time } from '@plugboard/plugin-api';
import { alertRulesRef, shipAlertRules } from '@plugboard/plugin-alerts';
import { conversationServiceRef, conversationWriterRef } from '@plugboard/plugin-conversations';
import { z } from 'zod';

/** How many tokens a user has left. */
export interface Quotas { remaining(userId: number): Promise<number> }
export const quotasRef = serviceRef<Quotas>('quotas.service', { description: 'Tokens left per user' });

export default definePlugin({
  name: 'quotas', version: '1.0.0', core: '^0.1.0',
  dependsOn: { conversations: '^0.1.0' },
  consumes: [conversationServiceRef],
  optionalConsumes: [alertRulesRef],
  provides: [quotasRef, conversationWriterRef],
  config: z.object({ tokensPerUser: z.number().int().positive().default(100_000), checkEvery: durationSchema.default('5m') }),
  setup(ctx) {
    const conversations = ctx.get(conversationServiceRef); // consume a service
    const quotas: Quotas = { async remaining(userId) {
      const user = await time('quotas.lookup.duration', () => conversations.getUser(userId)); // a timed metric
      return Math.max(0, ctx.config.tokensPerUser - (user?.tokensUsed ?? 0));
    } };
    ctx.provide(quotasRef, quotas); // provide one
    const below = ctx.next(conversationWriterRef); // decorate one: count tokens, write through
    const tokens = ctx.meter.createCounter('quotas.tokens', { unit: '{token}', description: 'Tokens stored, by model' });
    ctx.provide(conversationWriterRef, { async write(c) {
      const stored = await below.write(c);
      if (stored) tokens.add(c.totalTokens, { 'ai.model': c.aiModel });
      return stored;
    } }, { ranking: 10 });
    ctx.http.get('/api/quotas/:id', async (c) => {
      const { id } = parseParams(c, z.object({ id: z.coerce.number().int().positive() }));
      return c.json({ userId: id, remaining: await quotas.remaining(id) });
    });
    let over = 0; // a background task, and a gauge of what it found
    ctx.meter.createObservableGauge('quotas.users_over', { unit: '{user}', description: 'Recently active users with no tokens left' })
      .addCallback((result) => result.observe(over));
    ctx.tasks.schedule({ name: 'count-over-quota', every: ctx.config.checkEvery, run: async () => {
      const { items } = await conversations.recentlyActiveUsers({ limit: 100 });
      over = items.filter((user) => user.tokensUsed >= ctx.config.tokensPerUser).length;
    } });
    shipAlertRules(ctx, [{ // an alert rule, evaluated by the alerts plugin when it runs
      name: 'UsersOverQuota', expr: 'quotas.users_over', threshold: 0, for: '10m',
      metrics: { 'quotas.users_over': { kind: 'gauge', unit: '{user}' } },
      annotations: { summary: '{{ $value }} recently active users have no tokens left' },
    }]);
  },
});
