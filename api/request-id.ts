// Request ids: a caller's (or a proxy's) `x-request-id` is taken when it is a plain token, otherwise one
// is made; it labels every log line of the request and is returned in the answer's `x-request-id`.
// Also whether each request is logged (QS_LOG_REQUESTS).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.js';

/** What a request id may be: what proxies and tracers send (UUIDs, hex, base64url), nothing that could
 *  forge a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify constructor options: ids from requestIdOf (Fastify's own header option would take any value),
 *  and one info line per request unless QS_LOG_REQUESTS=false. */
export function requestOptions(config: Pick<Config, 'logRequests'>) {
  return {
    requestIdHeader: false as const,
    genReqId: requestIdOf,
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
  };
}

/** Returns the id on every answer, errors and refusals included (the hook runs first). */
export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
