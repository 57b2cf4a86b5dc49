// GET /jobs/<id>/owners: the data owners invited or registered and, per owner, whether its share file is on
// each party's input bucket. Presence is read from the storage itself (one HEAD per owner and party), not
// from the workflow: an upload goes straight from the owner to the bucket, so the workflow never hears of
// it before submit. Nothing here signs a URL.
import { jobParties } from '../../domain/names.js';
import { qsError } from '../errors.js';
import type { Caller } from '../ownership.js';
import type { ApiContext } from './context.js';

export interface OwnerUploads {
  data_owner: string;
  /** the analyst issued an invitation (the job keeps its token's hash) */
  invited: boolean;
  /** the owner registered (asked for upload URLs) */
  registered: boolean;
  /** a share file is present on every party */
  uploaded: boolean;
  /** per party, in party order: present, missing, or null when that party's storage did not answer */
  parties: { party: number; provider: string; present: boolean | null }[];
}

/** Invited owners first (in invitation order), then owners registered without an invitation. A storage
 *  that fails to answer is reported per party (null) and told to `warn`, never as the whole answer. */
export async function listOwnerUploads(ctx: ApiContext, jobId: string, caller: Caller, warn: (err: unknown) => void = () => undefined): Promise<{ job_id: string; owners: OwnerUploads[] }> {
  await ctx.ownership.check(jobId, caller);
  await ctx.gateway.describe(jobId);
  const state = await ctx.gateway.state(jobId);
  if (!state) throw qsError('QS_TEMPORAL_UNAVAILABLE', ['no worker answered']);
  const invited = new Set((state.invitations ?? []).map((i) => i.owner));
  const registered = new Set(state.owners);
  const names = [...new Set([...invited, ...state.owners])];
  const parties = jobParties(state.job);
  const present = (owner: string) =>
    Promise.all(
      parties.map(async (p) => {
        const size = await ctx.storage.inputSizes([p], [owner]).then(([s]) => s.size, (err) => (warn(err), null));
        return { party: p.index, provider: p.provider, present: size === null ? null : size !== undefined };
      }),
    );
  const owners = await Promise.all(
    names.map(async (owner): Promise<OwnerUploads> => {
      const perParty = await present(owner);
      return { data_owner: owner, invited: invited.has(owner), registered: registered.has(owner), uploaded: perParty.every((p) => p.present === true), parties: perParty };
    }),
  );
  return { job_id: jobId, owners };
}
