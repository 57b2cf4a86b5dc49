// The four endpoints of the seed contract, with underscores and the hyphen aliases existing clients use,
// and the invitations of data owners. Requests arrive checked against their schemas (api/schemas.ts).
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from '@sinclair/typebox';
import { access } from '../auth.js';
import { createJobSchema, ErrorBody, JobIdParams, OwnerId, OwnerParams, OwnerRemoved, registerSchema, statusSchema, submitSchema } from '../schemas.js';
import type { TypeBoxProvider } from '../validation.js';
import type { ApiContext } from '../use-cases/context.js';
import { checkCreatable, createJob } from '../use-cases/create.js';
import { inviteOwner, registerDataOwner, removeOwner } from '../use-cases/owners.js';
import { submitJob } from '../use-cases/lifecycle.js';
import { getStatus } from '../use-cases/status.js';
import { rerunJob } from '../use-cases/rerun.js';

/** The route's URL and its hyphen alias (hidden from /docs). */
function withAlias<S extends object>(name: string, schema: S): [string, S][] {
  return [
    [`/${name}`, schema],
    [`/${name.replace(/_/g, '-')}`, { ...schema, summary: `Alias of /${name}`, hide: true }],
  ];
}

export const jobRoutes: FastifyPluginAsync<{ ctx: ApiContext }, RawServerDefault, TypeBoxProvider> = async (app, { ctx }) => {
  for (const [url, schema] of withAlias('create_job', createJobSchema)) {
    app.post(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => {
      const b = request.body;
      const input = { analysisName: b.analysis_name, querySql: b.query_sql, securityLevel: b.security_level, cloudProviders: b.cloud_providers, schema: b.schema };
      checkCreatable(ctx, input);
      return createJob(ctx, input, request.principal);
    });
  }
  // Data owners only: with an invitation to the job, or a tokens-file token naming the owner.
  for (const [url, schema] of withAlias('register_data_owner', registerSchema)) {
    app.post(url, { config: access.roles('data_owner'), schema }, async (request) =>
      registerDataOwner(ctx, request.body.job_id.toLowerCase(), request.body.data_owner, request.principal),
    );
  }
  for (const [url, schema] of withAlias('submit_job', submitSchema)) {
    app.post(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => submitJob(ctx, request.body.job_id.toLowerCase(), request.principal));
  }
  for (const [url, schema] of withAlias('get_status', statusSchema)) {
    app.get(url, { config: access.roles('analyst', 'admin'), schema }, async (request) => {
      const { source: _source, ...answer } = await getStatus(ctx, request.query.job_id.toLowerCase(), request.principal);
      return answer;
    });
  }

  // Invitations: the job's analyst invites a data owner; the answer's token is shown once and is valid
  // only to register that owner on that job (and to read the job's configuration).
  const invited = Type.Object({ job_id: Type.String(), data_owner: Type.String(), token: Type.String({ description: 'shown once; only its hash is kept' }) });
  app.post('/jobs/:job_id/owners', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Invite a data owner: a token valid only for this job and this owner', tags: ['jobs'], params: JobIdParams, body: Type.Object({ data_owner: OwnerId }), response: { 200: invited, 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'submitted, or too many owners' } } },
  }, async (request) => inviteOwner(ctx, request.params.job_id.toLowerCase(), request.body.data_owner, request.principal));
  // A failed job run again on the inputs it kept: a new job (new id) with the same configuration and owners.
  app.post('/jobs/:job_id/rerun', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Run a failed job again on its kept inputs: a new job with the same configuration, owners and share files, submitted', tags: ['jobs'], params: JobIdParams, response: { 200: Type.Object({ job_id: Type.String({ description: 'the new job' }), rerun_of: Type.String() }), 404: { ...ErrorBody, description: 'unknown job' }, 409: { ...ErrorBody, description: 'the job succeeded or is still running, or its inputs are gone' } } },
  }, async (request) => rerunJob(ctx, request.params.job_id.toLowerCase(), request.principal));
  app.delete('/jobs/:job_id/owners/:data_owner', {
    config: access.roles('analyst', 'admin'),
    schema: { summary: 'Remove a data owner who has uploaded nothing, before submit', tags: ['jobs'], params: OwnerParams, response: { 200: OwnerRemoved, 404: { ...ErrorBody, description: 'unknown job or owner' }, 409: { ...ErrorBody, description: 'submitted, or the owner has uploaded' } } },
  }, async (request) => removeOwner(ctx, request.params.job_id.toLowerCase(), request.params.data_owner, request.principal));
};
