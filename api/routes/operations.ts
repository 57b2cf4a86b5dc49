// Listing, a job's public configuration, cancel and delete: what operators and data owners need
// besides the seed's four endpoints.
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { access } from '../auth.js';
import { Cancelling, Deleted, ErrorBody, JobIdBody, JobIdParams, JobList, JobView, ListQuery } from '../schemas.js';
import type { TypeBoxProvider } from '../validation.js';
import type { ApiContext } from '../use-cases/context.js';
import { cancelJob, deleteStorage } from '../use-cases/lifecycle.js';
import { getJob, listJobs } from '../use-cases/read.js';
import { LIMITS } from '../../domain/limits.js';

const err = (description: string) => ({ ...ErrorBody, description });

export const operationRoutes: FastifyPluginAsync<{ ctx: ApiContext }, RawServerDefault, TypeBoxProvider> = async (app, { ctx }) => {
  app.get('/jobs', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'List jobs, newest first, optionally by status', tags: ['operations'], querystring: ListQuery, response: { 200: JobList, 400: err('bad status, limit or page_token') } },
  }, async (request) => {
    const { status, limit, page_token: token } = request.query;
    return listJobs(ctx, status, limit ?? LIMITS.page.default, token, request.principal);
  });

  app.get('/jobs/:job_id', {
    config: access.roles('analyst', 'data_owner', 'admin'),
    schema: { summary: "A job's public configuration: what a data owner needs to prepare share files", tags: ['jobs'], params: JobIdParams, response: { 200: JobView, 404: err('unknown job') } },
  }, async (request) => getJob(ctx, request.params.job_id.toLowerCase(), request.principal));

  app.delete('/jobs/:job_id', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: "Remove all of a finished job's storage", tags: ['operations'], params: JobIdParams, response: { 200: Deleted, 404: err('unknown job'), 409: err('the job is still running') } },
  }, async (request) => deleteStorage(ctx, request.params.job_id.toLowerCase(), request.principal));

  for (const url of ['/cancel_job', '/cancel-job']) {
    app.post(url, {
      config: access.roles('analyst', 'admin'),
      schema: { summary: 'Cancel a job: the running stage stops, everything is torn down, the job ends Fail', tags: ['operations'], hide: url.includes('-'), body: JobIdBody, response: { 200: Cancelling, 404: err('unknown job'), 409: err('the job already finished') } },
    }, async (request) => cancelJob(ctx, request.body.job_id.toLowerCase(), request.principal));
  }
};
