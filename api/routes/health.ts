// GET /healthz: does the API reach Temporal, and does any worker poll the job task queue?
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../infra/config.js';
import { access } from '../auth.js';
import { localNetworkMode } from '../../infra/local-network.js';
import { healthSchema } from '../schemas.js';
import type { JobGateway } from '../gateway.js';

export const healthRoutes: FastifyPluginAsync<{ gateway: JobGateway; config: Config }> = async (app, { gateway, config }) => {
  // How local parties reach each other (QS_COMPUTE=local): detected once, here at start-up (the probe
  // makes and removes a network namespace), on this machine, which runs the workers too in the embedded
  // default. A word, no internals.
  const network = config.compute === 'local' ? { network: localNetworkMode() } : {};
  // Public, so it says only whether the parts answer: no address, task queue or error text (those go
  // to the log).
  app.get('/healthz', { config: access.public, schema: healthSchema }, async (request, reply) => {
    try {
      return { temporal: 'ok', worker: (await gateway.workerPolls()) ? 'ok' : 'none', ...network };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : String(err);
      request.log.warn(`healthz: Temporal at ${config.temporal.address}: ${reason}`);
      return reply.code(503).send({ temporal: 'unreachable', worker: 'unknown', ...network });
    }
  });
};
