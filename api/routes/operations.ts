// Listing, a job's public configuration, cancel and delete: what operators and data owners need
// besides the seed's four endpoints.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { JOB_STATUSES } from '../../domain/job.js';
import { OPEN_STATUS } from '../../workflows/messages.js';
import type { JobAdmin } from '../job-admin.js';
import { access } from '../auth.js';
import { qsError } from '../errors.js';
import { ErrorBody } from '../schemas.js';
import { asObject, jobIdOrNotFound, parseJobId } from '../validate.js';

const LISTABLE = [...JOB_STATUSES, OPEN_STATUS] as const;
const err = (description: string) => ({ ...ErrorBody, description });

export const operationRoutes: FastifyPluginAsync<{ admin: JobAdmin }> = async (app, { admin }) => {
  app.get('/jobs', {
    config: access.roles('analyst', 'admin'),
    schema: {
      summary: 'List jobs, newest first, optionally by status',
      tags: ['operations'],
      querystring: Type.Object({
        status: Type.Optional(Type.Union(LISTABLE.map((s) => Type.Literal(s)))),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        page_token: Type.Optional(Type.String()),
      }),
      response: { 400: err('bad status, limit or page_token') },
    },
  }, async (request) => {
    const q = asObject(request.query ?? {});
    const status = q.status;
    if (status !== undefined && !(LISTABLE as readonly unknown[]).includes(status)) {
      throw qsError('QS_INVALID_FIELD', [`status must be one of ${LISTABLE.join(', ')}`]);
    }
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw qsError('QS_INVALID_FIELD', ['limit must be an integer from 1 to 100']);
    const token = q.page_token;
    if (token !== undefined && (typeof token !== 'string' || !/^[A-Za-z0-9_-]{1,4096}$/.test(token))) {
      throw qsError('QS_INVALID_FIELD', ['page_token is not a token this API returned']);
    }
    return admin.list(status as never, limit, token as string | undefined, request.principal);
  });

  app.get('/jobs/:job_id', {
    config: access.roles('analyst', 'data_owner', 'admin'),
    schema: { summary: "A job's public configuration: what a data owner needs to prepare share files", tags: ['jobs'], params: Type.Object({ job_id: Type.String() }), response: { 404: err('unknown job') } },
  }, async (request) => admin.get(jobIdOrNotFound((request.params as { job_id?: string }).job_id), request.principal));

  app.delete('/jobs/:job_id', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: "Remove all of a finished job's storage", tags: ['operations'], params: Type.Object({ job_id: Type.String() }), response: { 404: err('unknown job'), 409: err('the job is still running') } },
  }, async (request) => admin.deleteStorage(jobIdOrNotFound((request.params as { job_id?: string }).job_id), request.principal));

  for (const url of ['/cancel_job', '/cancel-job']) {
    app.post(url, {
      config: access.roles('analyst', 'admin'),
      schema: { summary: 'Cancel a job: the running stage stops, everything is torn down, the job ends Fail', tags: ['operations'], hide: url.includes('-'), body: Type.Object({ job_id: Type.String() }), response: { 404: err('unknown job'), 409: err('the job already finished') } },
    }, async (request) => admin.cancel(parseJobId(request.body), request.principal));
  }
};
