// GET /jobs/{job_id}/owners: for the job's analyst (and admins), the data owners invited or registered and,
// per owner, whether its share file is on each party's input bucket. Presence is read from the storage
// itself (one HEAD per owner and party), not from the workflow: the upload goes straight from the owner to
// the bucket, so the workflow never hears of it before submit. Nothing here signs a URL.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../infra/config.js';
import type { JobStorage } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import { JOB_WORKFLOW_TYPE, statusQuery, type JobState } from '../../workflows/messages.js';
import { access } from '../auth.js';
import { QsError, qsError } from '../errors.js';
import type { Caller, JobOwnership } from '../ownership.js';
import { ErrorBody } from '../schemas.js';
import { jobIdOrNotFound } from '../validate.js';

export interface OwnerUploads {
  data_owner: string;
  /** the analyst issued an invitation (its token's hash is kept by the job) */
  invited: boolean;
  /** the owner registered (asked for upload URLs) */
  registered: boolean;
  /** a share file is present on every party */
  uploaded: boolean;
  /** per party, in party order: present, missing, or null when that party's storage did not answer */
  parties: { party: number; provider: string; present: boolean | null }[];
}

export interface OwnersDeps {
  client: Client;
  storage: JobStorage;
  config: Config;
  ownership: JobOwnership;
}

/** The job's state (unknown job: 404; no worker to answer the query: 503). */
async function jobState(deps: OwnersDeps, jobId: string): Promise<JobState> {
  const handle = deps.client.workflow.getHandle(jobId);
  try {
    const desc = await handle.describe();
    if (desc.type !== JOB_WORKFLOW_TYPE) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw qsError('QS_JOB_NOT_FOUND', [], { job_id: jobId });
    throw err instanceof QsError ? err : qsError('QS_TEMPORAL_UNAVAILABLE', [firstLine(err)]);
  }
  try {
    return await deps.client.connection.withDeadline(Date.now() + deps.config.statusQueryTimeoutMs, () => handle.query(statusQuery));
  } catch (err) {
    throw qsError('QS_TEMPORAL_UNAVAILABLE', [`no worker answered: ${firstLine(err)}`]);
  }
}

/** Invited owners first (in invitation order), then owners registered without an invitation. A storage
 *  that fails to answer is reported per party (null) and told to `warn`, never as the whole answer. */
export async function listOwnerUploads(deps: OwnersDeps, jobId: string, caller: Caller, warn: (err: unknown) => void = () => undefined): Promise<{ job_id: string; owners: OwnerUploads[] }> {
  await deps.ownership.check(jobId, caller);
  const state = await jobState(deps, jobId);
  const invited = new Set((state.invitations ?? []).map((i) => i.owner));
  const registered = new Set(state.owners);
  const names = [...new Set([...invited, ...state.owners])];
  const parties = jobParties(state.job);
  const presence = await Promise.all(
    names.map((owner) =>
      Promise.all(
        parties.map(async (p) => {
          const size = await deps.storage.inputSizes([p], [owner]).then(([s]) => s.size, (err) => (warn(err), null));
          return { party: p.index, provider: p.provider, present: size === null ? null : size !== undefined };
        }),
      ),
    ),
  );
  const owners = names.map((owner, i) => ({
    data_owner: owner,
    invited: invited.has(owner),
    registered: registered.has(owner),
    uploaded: presence[i].every((p) => p.present === true),
    parties: presence[i],
  }));
  return { job_id: jobId, owners };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
}

const OwnerRow = Type.Object({
  data_owner: Type.String(),
  invited: Type.Boolean({ description: 'the analyst invited this owner' }),
  registered: Type.Boolean({ description: 'the owner registered (asked for upload URLs)' }),
  uploaded: Type.Boolean({ description: 'a share file is present on every party' }),
  parties: Type.Array(
    Type.Object({
      party: Type.Integer({ description: 'party index, from 0' }),
      provider: Type.String(),
      present: Type.Union([Type.Boolean(), Type.Null()], { description: "the owner's share file is on this party's input bucket (null: the storage did not answer)" }),
    }),
  ),
});

export const ownerRoutes: FastifyPluginAsync<OwnersDeps> = async (app, deps) => {
  app.get('/jobs/:job_id/owners', {
    config: access.roles('analyst', 'admin'),
    schema: {
      summary: "A job's data owners (invited or registered) and whether each one's share file is on every party",
      tags: ['jobs'],
      params: Type.Object({ job_id: Type.String() }),
      response: {
        200: Type.Object({ job_id: Type.String(), owners: Type.Array(OwnerRow) }),
        404: { ...ErrorBody, description: 'unknown job' },
        503: { ...ErrorBody, description: 'Temporal or the workers are unavailable' },
      },
    },
  }, async (request) => {
    const jobId = jobIdOrNotFound((request.params as { job_id?: string }).job_id);
    return listOwnerUploads(deps, jobId, request.principal, (err) => request.log.warn({ err: firstLine(err), job_id: jobId }, 'owner upload check: storage did not answer'));
  });
};
