// The Fastify application, without a socket: tests build it and call it through real HTTP or inject.
// Every error leaves through one handler that answers JSON from the catalogue and never leaks internals.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { JobStorage } from '../infra/storage/index.js';
import { QsError, qsError } from './errors.js';
import { JobService } from './job-service.js';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { bearer, registerAuth } from './auth.js';
import { registerDocs } from './docs.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { operationRoutes } from './routes/operations.js';
import { JobAdmin } from './job-admin.js';
import { JobOwnership } from './ownership.js';
import { validatorCompiler } from './validation.js';

export interface AppDeps {
  config: Config;
  client: Client;
  storage: JobStorage;
  /** Run last when the app closes, after its own pending work (closes the Temporal connection). */
  release?: () => Promise<void>;
  /** true: every request (info); { level: 'error' }: only unhandled errors; false: nothing */
  logger?: boolean | { level: 'error' };
}

/** Fastify's own errors that are the client's fault, mapped to the catalogue. */
function fromFastify(err: FastifyError): QsError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return qsError('QS_INVALID_JSON', [err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'/, 'malformed JSON')]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return qsError('QS_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return qsError('QS_BODY_TOO_LARGE');
  }
  if (err instanceof SyntaxError) return qsError('QS_INVALID_JSON', [err.message]);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new QsError('QS_INVALID_FIELD', [err.message]);
  return undefined;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    // Deeply nested or huge bodies are refused by the limit above; proto pollution keys are dropped.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

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

  // First, so that every route registered after it is checked for a declaration of who may call it.
  const auth = registerAuth(app, deps.config);
  // Security headers; the docs page needs its inline scripts, everything else is JSON.
  await app.register(helmet, { contentSecurityPolicy: false });
  // Cross-origin calls only from the API's own origins (QS_API_CORS_ORIGINS, none by default; the
  // buckets' QS_CORS_ORIGINS are another matter). cors answers preflights on a route of its own:
  // public (a preflight carries no credentials).
  const origins = deps.config.apiCorsOrigins;
  if (origins.length) {
    await auth.declaredPublic(() => app.register(cors, { origin: origins.includes('*') ? true : origins, methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['authorization', 'content-type'] }));
  }
  await app.register(rateLimit, {
    max: deps.config.rateLimitPerMinute,
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

  const ownership = new JobOwnership(deps.client);
  const jobs = new JobService(deps.client, deps.storage, deps.config, ownership);
  // onClose hooks run last-added first: the release goes in before the drain, so that it runs after it.
  const release = deps.release;
  if (release) app.addHook('onClose', () => release());
  // create_job answers before its storage report reaches the workflow: a graceful stop lets them arrive.
  app.addHook('onClose', () => jobs.drain());
  await app.register(healthRoutes, { client: deps.client, config: deps.config });
  await app.register(jobRoutes, { jobs, config: deps.config });
  await app.register(operationRoutes, { admin: new JobAdmin(deps.client, deps.storage, deps.config, (jobId) => jobs.forgetStatus(jobId), ownership) });
  await app.register((await import('./routes/owners.js')).ownerRoutes, { client: deps.client, storage: deps.storage, config: deps.config, ownership }); // GET /jobs/:id/owners
  await app.register((await import('./routes/web.js')).webRoutes); // the web app at / (web/, issue 20)
  return app;
}
