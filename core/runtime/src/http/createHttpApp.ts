import type { Counter } from '@opentelemetry/api';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Histogram, Tracer } from '@opentelemetry/api';
import { createForwardingMeter, type ForwardingMeter } from '../telemetry/ForwardingMeter.js';
import { createForwardingTracer } from '../telemetry/ForwardingTracer.js';
import { CORE_VERSION } from '../version.js';
import { ApiError } from '@plugboard/plugin-api';
import { ADMIN_OFF_MESSAGE } from './adminAuth.js';
import { adminRoutes } from './adminRoutes.js';
import { dispatchToPlugins } from './dispatch.js';
import { createErrorHandler } from './errorHandler.js';
import { healthRoutes } from './health.js';
import { hostMiddleware } from './hostMiddleware.js';
import { HTTP_DURATION_BUCKETS, requestTelemetry } from './requestMetrics.js';
import type { HttpAppOptions } from './types.js';

const DEFAULT_READY_TIMEOUT_MS = 2000;

/** One meter for every host app of the process: it holds only synchronous instruments, so it is never closed. */
let httpMeter: ForwardingMeter | undefined;
let clientAborts: Counter | undefined;
let middlewareDuration: Histogram | undefined;
let httpTracer: Tracer | undefined;

function meter(): ForwardingMeter {
  return (httpMeter ??= createForwardingMeter('plugboard.http', CORE_VERSION));
}

/**
 * The host's one Hono app: request ids (`x-request-id` in and out), the request metrics
 * (`http.server.request.duration`, `http.server.active_requests`, `plugboard.middleware.duration`)
 * and server span, an access log at debug level, a body size limit, `/healthz`
 * and `/readyz`, the admin API under `/admin`, then the started plugins' routes. Every error answers JSON `{ "error": { "code", "message", "requestId" } }`.
 *
 * @example
 * const app = createHttpApp({ kernel, logger, bodyLimit: 1024 * 1024, adminToken: process.env.PLUGBOARD_ADMIN_TOKEN });
 * const server = await startHttpServer(app, { host: '127.0.0.1', port: 3000, logger });
 */
export function createHttpApp(options: HttpAppOptions): Hono {
  const { kernel, logger, adminToken } = options;
  const app = new Hono();
  const limitBody = bodyLimit({
    maxSize: options.bodyLimit,
    onError: () => {
      throw new ApiError(
        413,
        'payload_too_large',
        `The request body is larger than the limit of ${options.bodyLimit} bytes. Send a smaller body or raise server.bodyLimit in the config.`,
      );
    },
  });
  const clientAbortCounter = (clientAborts ??= meter().createCounter('plugboard.http.client_aborts', {
    unit: '{request}',
    description: 'Requests whose client closed the connection before the answer (a body cut short, a client that gave up).',
  }));
  const errors = { clientAborts: clientAbortCounter, ...(options.database?.outage ? { outage: options.database.outage } : {}) };
  const onError = createErrorHandler(logger, errors);
  const telemetry = requestTelemetry(meter(), (httpTracer ??= createForwardingTracer('plugboard.http', CORE_VERSION)));
  app.use('*', hostMiddleware({ logger, telemetry, limitBody, onError }));
  app.route('/', healthRoutes({ kernel, database: options.database, timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS }));
  app.route(
    '/admin',
    adminRoutes(kernel, { token: adminToken, logger, maxFailures: options.adminMaxFailures, failureWindowMs: options.adminFailureWindowMs }),
  );
  middlewareDuration ??= meter().createHistogram('plugboard.middleware.duration', {
    unit: 's',
    description: "How long each plugin's app (its middleware and, when it answered, its route) took with a request.",
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });
  // Plugin requests reach the dispatcher as the not-found handler, not through an `app.all('*')`
  // route: a request for a plugin route then matches only the host middleware, which Hono runs
  // without composing a chain. The dispatcher answers 404 when no plugin route matches either.
  app.notFound(dispatchToPlugins(kernel, logger, errors, middlewareDuration));
  app.onError(onError);
  if (adminToken === undefined || adminToken === '') logger.info(ADMIN_OFF_MESSAGE);
  return app;
}
