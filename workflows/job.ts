// One workflow per job (workflow id = job id). It owns every fact about the job: configuration,
// owners, status, stage records. Deterministic: no I/O, no clock or randomness but the SDK's.
// Its phases (workflows/job/) work on one state object (job/state.ts): waiting for storage, open for
// owners, the stages, teardown. Every message is registered before the first await (job/handlers.ts).
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { JobInput, JobState } from './messages.js';
import { setJobHandlers } from './job/handlers.js';
import { ownersPhase } from './job/owners-phase.js';
import { stagesPhase } from './job/stages-phase.js';
import { newJobRun } from './job/state.js';
import { storagePhase } from './job/storage-phase.js';
import { teardownPhase } from './job/teardown.js';

export async function jobWorkflow(input: JobInput): Promise<JobState> {
  const run = newJobRun(input);
  setJobHandlers(run);
  if ((await storagePhase(run)) && (await ownersPhase(run))) {
    const outcome = await stagesPhase(run);
    await teardownPhase(run, outcome);
    await condition(allHandlersFinished);
    if (outcome.cancellation) throw outcome.cancellation; // the execution shows as Cancelled in the Web UI
    return run.state;
  }
  await condition(allHandlersFinished);
  return run.state;
}
