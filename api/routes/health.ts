// GET /healthz: does the API reach Temporal, and does any worker poll the job task queue?
import type { FastifyPluginAsync } from 'fastify';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Config } from '../../infra/config.js';
import { access } from '../auth.js';
import { localNetworkMode } from '../../infra/local-network.js';
import { healthSchema } from '../schemas.js';

const PROBE_MS = 3000;

// A CommonJS package: a default import works under both node and the test runner.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

export const healthRoutes: FastifyPluginAsync<{ client: Client; config: Config }> = async (app, { client, config }) => {
  // How local parties reach each other (QS_COMPUTE=local): detected once, here at start-up (the probe
  // makes and removes a network namespace), on this machine, which runs the workers too in the embedded
  // default. A word, no internals.
  const network = config.compute === 'local' ? { network: localNetworkMode() } : {};
  // Public, so it says only whether the parts answer: no address, task queue or error text (those go
  // to the log).
  app.get('/healthz', { config: access.public, schema: healthSchema }, async (request, reply) => {
    try {
      const res = await client.connection.withDeadline(Date.now() + PROBE_MS, () =>
        client.workflowService.describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      return { temporal: 'ok', worker: (res.pollers?.length ?? 0) > 0 ? 'ok' : 'none', ...network };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : String(err);
      request.log.warn(`healthz: Temporal at ${config.temporal.address}: ${reason}`);
      return reply.code(503).send({ temporal: 'unreachable', worker: 'unknown', ...network });
    }
  });
};
