// The Fastify application, without a socket: tests build it and call it through real HTTP or inject.
// Every error leaves through one handler that answers JSON from the catalogue and never leaks internals.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Client, Connection } from '@temporalio/client';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../infra/config.js';
import { JobStorage, cloudStorages } from '../infra/storage/index.js';
import { connectionSettings } from '../infra/temporal-connection.js';
import { QsError, qsError } from './errors.js';
import { bearer, registerAuth, type Auth } from './auth.js';
import { registerDocs } from './docs.js';
import type { JobGateway } from './gateway.js';
import { TemporalGateway } from './temporal-gateway.js';
import { makeContext } from './use-cases/context.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { operationRoutes } from './routes/operations.js';
import { fromFastify, validatorCompiler } from './validation.js';
import { registerMetrics } from './metrics.js';
import { registerRequestId, requestOptions } from './request-id.js';

/** What a caller may put in place of what buildApi makes from the configuration. */
export interface ApiOverrides {
  /** Default: a lazy connection to config.temporal (so /healthz answers 503, not a crash, while Temporal
   *  is down), closed when the app closes. */
  client?: Client;
  /** Default: a TemporalGateway over the client. Contract tests put a fake here. */
  gateway?: JobGateway;
  /** Default: the configured clouds, URLs valid as configured. */
  storage?: JobStorage;
  /** Run last when the app closes, after its own pending work. */
  release?: () => Promise<void>;
  /** true: every request (info); { level: 'error' }: only unhandled errors; false: nothing */
  logger?: boolean | { level: string; name?: string };
}

/** The API, without a socket: the server, the bench, the chaos run and the tests all build it here. */
export async function buildApi(config: Config, overrides: ApiOverrides = {}): Promise<FastifyInstance> {
  const connection = overrides.client ? undefined : Connection.lazy(connectionSettings(config));
  const client = overrides.client ?? new Client({ connection, namespace: config.temporal.namespace });
  const storage = overrides.storage ?? new JobStorage(cloudStorages(config), { uploadSeconds: config.uploadUrlTtlSeconds, readSeconds: config.readUrlTtlSeconds });
  const ctx = makeContext(overrides.gateway ?? new TemporalGateway(client, config), storage, config);
  const app = Fastify({
    logger: overrides.logger ?? false,
    ...requestOptions(config),
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    // Deeply nested or huge bodies are refused by the limit above; proto pollution keys are dropped.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // First, so that every route registered after it is checked for a declaration of who may call it.
  const auth = registerAuth(app, config);
  registerRequestId(app);
  await registerMetrics(app, { client });
  await registerFramework(app, config, auth);

  // onClose hooks run last-added first: the releases go in before the drain, so that they run after it.
  const release = overrides.release;
  if (release) app.addHook('onClose', () => release());
  if (connection) app.addHook('onClose', () => connection.close());
  // create_job answers before its storage report reaches the workflow: a graceful stop lets them arrive.
  app.addHook('onClose', () => ctx.background.drain());
  await app.register(healthRoutes, { gateway: ctx.gateway, config });
  await app.register(jobRoutes, { ctx });
  await app.register(operationRoutes, { ctx });
  await app.register((await import('./routes/owners.js')).ownerRoutes, { ctx }); // GET /jobs/:id/owners
  await app.register((await import('./routes/web.js')).webRoutes); // the web app at / (web/, issue 20)
  return app;
}

/** What every route shares: errors as JSON from the catalogue, security headers, CORS, the rate limit,
 *  request validation and the docs. */
async function registerFramework(app: FastifyInstance, config: Config, auth: Auth): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof QsError ? err : fromFastify(err);
    if (known) return reply.code(known.statusCode).send(known.body());
    request.log.error({ err, url: request.url }, 'unhandled error');
    const internal = qsError('QS_INTERNAL');
    return reply.code(internal.statusCode).send(internal.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const e = qsError('QS_ROUTE_NOT_FOUND', [request.method, request.url.split('?')[0].slice(0, 200)]);
    return reply.code(e.statusCode).send(e.body());
  });
  // Security headers; the docs page needs its inline scripts, everything else is JSON.
  await app.register(helmet, { contentSecurityPolicy: false });
  // Cross-origin calls only from the API's own origins (QS_API_CORS_ORIGINS, none by default; the
  // buckets' QS_CORS_ORIGINS are another matter). cors answers preflights on a route of its own:
  // public (a preflight carries no credentials).
  const origins = config.apiCorsOrigins;
  if (origins.length) {
    await auth.declaredPublic(() => app.register(cors, { origin: origins.includes('*') ? true : origins, methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['authorization', 'content-type'] }));
  }
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => {
      const token = bearer(request);
      return token ? `t:${token.slice(0, 64)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => qsError('QS_RATE_LIMITED', [context.after]),
  });
  // Requests are validated against their route's schema; api/validation.ts turns a failure into the
  // seed contract's answer. Responses are plain JSON.stringify so no field is ever dropped by a
  // response schema.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await auth.declaredPublic(() => registerDocs(app));
}
