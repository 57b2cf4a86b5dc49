// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use,
// and the invitations of data owners. Requests arrive checked against their schemas (api/schemas.ts).
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from '@sinclair/typebox';
import { access } from '../auth.js';
import type { Config } from '../../infra/config.js';
import { compileForEngine } from '../query-check.js';
import type { JobService } from '../job-service.js';
import { createJobSchema, ErrorBody, JobIdParams, OwnerId, OwnerParams, registerSchema, statusSchema, submitSchema } from '../schemas.js';
import type { TypeBoxProvider } from '../validation.js';
import { qsError } from '../errors.js';
import type { Provider } from '../../domain/job.js';

/** The route's URL and its hyphen alias (hidden from /docs). */
function withAlias<S extends object>(name: string, schema: S): [string, S][] {
  return [
    [`/${name}`, schema],
    [`/${name.replace(/_/g, '-')}`, { ...schema, summary: `Alias of /${name}`, hide: true }],
  ];
}

/** A provider the schema knows but this deployment has not enabled: what no schema can say. */
export function checkEnabled(providers: readonly Provider[], enabled: readonly Provider[]): void {
  providers.forEach((p, i) => {
    if (!enabled.includes(p)) throw qsError('QS_INVALID_FIELD', [`cloud_providers[${i}]: "${p}" is not enabled on this server (enabled: ${enabled.join(', ')})`]);
  });
}

export const jobRoutes: FastifyPluginAsync<{ jobs: JobService; config: Config }, RawServerDefault, TypeBoxProvider> = async (app, { jobs, config }) => {
  for (const [url, schema] of withAlias('create_job', createJobSchema)) {
    app.post(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => {
      const b = request.body;
      checkEnabled(b.cloud_providers, config.providers);
      compileForEngine(config, b.query_sql, Object.keys(b.schema));
      const input = { analysisName: b.analysis_name, querySql: b.query_sql, securityLevel: b.security_level, cloudProviders: b.cloud_providers, schema: b.schema };
      return jobs.createJob(input, request.principal);
    });
  }
  // Data owners only: with an invitation to the job, or a tokens-file token naming the owner.
  for (const [url, schema] of withAlias('register_data_owner', registerSchema)) {
    app.post(url, { config: access.roles('data_owner'), schema }, async (request) =>
      jobs.registerDataOwner(request.body.job_id.toLowerCase(), request.body.data_owner, request.principal),
    );
  }
  for (const [url, schema] of withAlias('submit_job', submitSchema)) {
    app.post(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => jobs.submitJob(request.body.job_id.toLowerCase(), request.principal));
  }
  for (const [url, schema] of withAlias('get_status', statusSchema)) {
    app.get(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => {
      const { source: _source, ...answer } = await jobs.getStatus(request.query.job_id.toLowerCase(), request.principal);
      return answer;
    });
  }

  // Invitations: the job's analyst invites a data owner; the answer's token is shown once and is valid
  // only to register that owner on that job (and to read the job's configuration).
  const invited = Type.Object({ job_id: Type.String(), data_owner: Type.String(), token: Type.String({ description: 'shown once; only its hash is kept' }) });
  app.post('/jobs/:job_id/owners', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Invite a data owner: a token valid only for this job and this owner', tags: ['jobs'], params: JobIdParams, body: Type.Object({ data_owner: OwnerId }), response: { 200: invited, 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'submitted, or too many owners' } } },
  }, async (request) => jobs.inviteOwner(request.params.job_id.toLowerCase(), request.body.data_owner, request.principal));
  // A failed job run again on the inputs it kept: a new job (new id) with the same configuration and owners.
  app.post('/jobs/:job_id/rerun', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Run a failed job again on its kept inputs: a new job with the same configuration, owners and share files, submitted', tags: ['jobs'], params: JobIdParams, response: { 200: Type.Object({ job_id: Type.String({ description: 'the new job' }), rerun_of: Type.String() }), 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'the job succeeded or is still running, or its inputs are gone' } } },
  }, async (request) => jobs.rerunJob(request.params.job_id.toLowerCase(), request.principal));
  app.delete('/jobs/:job_id/owners/:data_owner', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Remove a data owner who has uploaded nothing, before submit', tags: ['jobs'], params: OwnerParams, response: { 404: { ...ErrorBody, description: 'unknown job or owner' }, 409: { ...ErrorBody, description: 'submitted, or the owner has uploaded' } } },
  }, async (request) => jobs.removeOwner(request.params.job_id.toLowerCase(), request.params.data_owner, request.principal));
};
