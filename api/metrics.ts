// GET /metrics in Prometheus format: the API's requests (by method, route and status), jobs by status
// (counted in Temporal's visibility at scrape time) and this process's own figures. The worker serves
// the Temporal SDK's metrics and the stages' durations on its own endpoint (QS_WORKER_METRICS).
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES } from '../domain/job.js';
import { JOB_WORKFLOW_TYPE, OPEN_STATUS, STATUS_SEARCH_ATTRIBUTE } from '../workflows/messages.js';
import { access } from './auth.js';

/** Statuses a job's search attribute takes: the open phase, then the seed's ten. */
const STATUSES = [OPEN_STATUS, ...JOB_STATUSES];
const COUNT_MS = 3000;

export function metricsRegistry(client: Client, onError: (err: unknown) => void): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API requests by method, route (the pattern, not the address) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Counter({ name: 'http_requests_total', help: 'API requests by method, route and status code', labelNames: ['method', 'route', 'status_code'] as const, registers: [registry] });
  // One count per scrape, shared by the two gauges below (a registry collects its metrics concurrently).
  let counting: Promise<number[] | undefined> | undefined;
  const countJobs = () =>
    (counting ??= client.connection
      .withDeadline(Date.now() + COUNT_MS, () =>
        Promise.all(STATUSES.map((s) => client.workflow.count(`WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ${STATUS_SEARCH_ATTRIBUTE} = '${s}'`))),
      )
      .then(
        (counts) => counts.map((c) => c.count),
        (err) => {
          onError(err);
          return undefined;
        },
      )
      .finally(() => setTimeout(() => (counting = undefined), 1000).unref()));
  new Gauge({
    name: 'queryshield_temporal_up',
    help: '1 when this scrape could count jobs in Temporal, else 0',
    registers: [registry],
    async collect() {
      this.set((await countJobs()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'queryshield_jobs',
    help: 'Jobs by status (the QueryShieldStatus search attribute; Created = open for owners), from Temporal visibility',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await countJobs();
      if (counts) STATUSES.forEach((s, i) => this.set({ status: s }, counts[i]));
    },
  });
  return registry;
}

export async function registerMetrics(app: FastifyInstance, deps: { client: Client }): Promise<void> {
  const registry = metricsRegistry(deps.client, (err) => app.log.warn({ err }, 'metrics: jobs could not be counted in Temporal'));
  const seconds = registry.getSingleMetric('http_request_duration_seconds') as Histogram<'method' | 'route' | 'status_code'>;
  const total = registry.getSingleMetric('http_requests_total') as Counter<'method' | 'route' | 'status_code'>;
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern keeps the label set small; an unknown address counts as one route.
    const labels = { method: request.method, route: request.routeOptions.url ?? '(unmatched)', status_code: String(reply.statusCode) };
    seconds.observe(labels, reply.elapsedTime / 1000);
    total.inc(labels);
  });
  // An operator's scraper: admins (Prometheus sends the token as `authorization: Bearer`).
  app.get('/metrics', { config: access.roles('admin'), schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
