// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use.
import type { FastifyContextConfig, FastifyPluginAsync, FastifySchema, RouteHandlerMethod } from 'fastify';
import { access } from '../auth.js';
import type { Config } from '../../infra/config.js';
import { compileForEngine } from '../query-check.js';
import type { JobService } from '../job-service.js';
import { createJobSchema, registerSchema, statusSchema, submitSchema } from '../schemas.js';
import { asObject, jobIdOrNotFound, parseCreateJob, parseJobId, parseOwnerId, parseRegister } from '../validate.js';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../schemas.js';

export const jobRoutes: FastifyPluginAsync<{ jobs: JobService; config: Config }> = async (app, { jobs, config }) => {
  const both = (method: 'GET' | 'POST', name: string, config: FastifyContextConfig, schema: FastifySchema, handler: RouteHandlerMethod) => {
    app.route({ method, url: `/${name}`, config, schema, handler });
    const alias = `/${name.replace(/_/g, '-')}`;
    app.route({ method, url: alias, config, schema: { ...schema, summary: `Alias of /${name}`, hide: true } as FastifySchema, handler });
  };

  both('POST', 'create_job', access.roles('analyst', 'admin'), createJobSchema, async (request) => {
    const input = parseCreateJob(request.body, config.providers);
    compileForEngine(config, input.querySql, Object.keys(input.schema));
    return jobs.createJob(input, request.principal);
  });

  // Data owners only: with an invitation to the job, or a tokens-file token naming the owner.
  both('POST', 'register_data_owner', access.roles('data_owner'), registerSchema, async (request) => {
    const { jobId, owner } = parseRegister(request.body);
    return jobs.registerDataOwner(jobId, owner, request.principal);
  });

  both('POST', 'submit_job', access.roles('analyst', 'admin'), submitSchema, async (request) => jobs.submitJob(parseJobId(request.body), request.principal));

  both('GET', 'get_status', access.roles('analyst', 'admin'), statusSchema, async (request) => {
    const { source: _source, ...answer } = await jobs.getStatus(parseJobId(request.query, 'query'), request.principal);
    return answer;
  });

  // Invitations: the job's analyst invites a data owner; the answer's token is shown once and is valid
  // only to register that owner on that job (and to read the job's configuration).
  const owner = Type.Object({ job_id: Type.String(), data_owner: Type.String(), token: Type.String({ description: 'shown once; only its hash is kept' }) });
  app.post('/jobs/:job_id/owners', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Invite a data owner: a token valid only for this job and this owner', tags: ['jobs'], params: Type.Object({ job_id: Type.String() }), body: Type.Object({ data_owner: Type.String() }), response: { 200: owner, 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'submitted, or too many owners' } } },
  }, async (request) => {
    const jobId = jobIdOrNotFound((request.params as { job_id?: string }).job_id);
    return jobs.inviteOwner(jobId, parseOwnerId(asObject(request.body).data_owner), request.principal);
  });
  // A failed job run again on the inputs it kept: a new job (new id) with the same configuration and owners.
  app.post('/jobs/:job_id/rerun', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: "Run a failed job again on its kept inputs: a new job with the same configuration, owners and share files, submitted", tags: ['jobs'], params: Type.Object({ job_id: Type.String() }), response: { 200: Type.Object({ job_id: Type.String({ description: 'the new job' }), rerun_of: Type.String() }), 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'the job succeeded or is still running, or its inputs are gone' } } },
  }, async (request) => jobs.rerunJob(jobIdOrNotFound((request.params as { job_id?: string }).job_id), request.principal));
  app.delete('/jobs/:job_id/owners/:data_owner', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Remove a data owner who has uploaded nothing, before submit', tags: ['jobs'], params: Type.Object({ job_id: Type.String(), data_owner: Type.String() }), response: { 404: { ...ErrorBody, description: 'unknown job or owner' }, 409: { ...ErrorBody, description: 'submitted, or the owner has uploaded' } } },
  }, async (request) => {
    const params = request.params as { job_id?: string; data_owner?: string };
    return jobs.removeOwner(jobIdOrNotFound(params.job_id), parseOwnerId(params.data_owner), request.principal);
  });
};
