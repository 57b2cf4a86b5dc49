// GET /jobs/{job_id}/owners: for the job's analyst (and admins), the data owners invited or registered and,
// per party, whether each one's share file is there (api/use-cases/owner-uploads.ts). Never a URL.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { access } from '../auth.js';
import { ErrorBody, JobIdParams } from '../schemas.js';
import type { ApiContext } from '../use-cases/context.js';
import { listOwnerUploads } from '../use-cases/owner-uploads.js';
import type { TypeBoxProvider } from '../validation.js';

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

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);

export const ownerRoutes: FastifyPluginAsync<{ ctx: ApiContext }, RawServerDefault, TypeBoxProvider> = async (app, { ctx }) => {
  app.get('/jobs/:job_id/owners', {
    config: access.roles('analyst', 'admin'),
    schema: {
      summary: "A job's data owners (invited or registered) and whether each one's share file is on every party",
      tags: ['jobs'],
      params: JobIdParams,
      response: {
        200: Type.Object({ job_id: Type.String(), owners: Type.Array(OwnerRow) }),
        404: { ...ErrorBody, description: 'unknown job' },
        503: { ...ErrorBody, description: 'Temporal or the workers are unavailable' },
      },
    },
  }, async (request) => {
    const jobId = request.params.job_id.toLowerCase();
    return listOwnerUploads(ctx, jobId, request.principal, (err) => request.log.warn({ err: firstLine(err), job_id: jobId }, 'owner upload check: storage did not answer'));
  });
};
