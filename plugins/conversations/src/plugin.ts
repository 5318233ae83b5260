import { coreServices, definePlugin, parseDuration } from '@plugboard/plugin-api';
import { LruUserCache } from './cache/LruUserCache.js';
import { configSchema } from './config.js';
import { ConversationService } from './ConversationService.js';
import { migrations } from './migrations/index.js';
import { conversationServiceRef, conversationWriterRef, userCacheRef } from './refs.js';
import { analyticsRoutes } from './routes/analytics.js';
import { cacheRoutes } from './routes/cache.js';
import { conversationsByStatusRoutes } from './routes/conversationsByStatus.js';
import { domainErrorsApp } from './routes/domainErrors.js';
import { recordConversationsRoutes } from './routes/recordConversations.js';
import { userRoutes } from './routes/users.js';
import { seedPluginCommand } from './seed/command.js';
import { UserStore } from './UserStore.js';
import { DirectConversationWriter } from './writers/DirectConversationWriter.js';

/**
 * The domain plugin. It provides the direct writer at ranking 0 and consumes the same ref through
 * a live handle, so a plugin providing it at a higher ranking takes over the writes.
 */
export default definePlugin({
  name: 'conversations',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Users and conversations: ConversationService, user cache, REST API and data generator',
  consumes: [conversationWriterRef],
  provides: [conversationServiceRef, conversationWriterRef, userCacheRef],
  config: configSchema,
  migrations,
  commands: [seedPluginCommand],
  setup(ctx) {
    const { sequelize } = ctx.get(coreServices.database);
    const config = ctx.config;
    ctx.provide(conversationWriterRef, new DirectConversationWriter(sequelize));

    const store = ctx.create(UserStore);
    const cache = new LruUserCache({
      max: config.cache.max,
      ttlMs: parseDuration(config.cache.ttl, 'conversations.cache.ttl'),
      load: (id) => store.find(id),
      meter: ctx.meter,
    });
    ctx.provide(userCacheRef, cache, { dispose: () => cache.clear() });
    ctx.tasks.schedule({
      name: 'purge-user-cache',
      every: config.cache.purgeEvery,
      run: () => {
        const purged = cache.purgeStale();
        if (purged > 0) ctx.logger.debug({ purged }, 'purged expired users from the cache');
      },
    });

    const service = ctx.create(ConversationService);
    ctx.provide(conversationServiceRef, service);
    const api = domainErrorsApp();
    recordConversationsRoutes(api, service, config);
    conversationsByStatusRoutes(api, service, config);
    userRoutes(api, service, config);
    analyticsRoutes(api, service, config);
    cacheRoutes(api, service);
    ctx.http.route('/', api);
  },
});
