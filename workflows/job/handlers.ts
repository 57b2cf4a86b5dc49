// Every message the job workflow answers, registered in one place before its first await (the order is
// the one its histories were recorded with). The bodies live with the phase they belong to.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  FAILURE,
  abortSignal,
  inviteOwnerUpdate,
  registerDataOwnerUpdate,
  removeOwnerUpdate,
  retrySignal,
  statusQuery,
  storageCreatedSignal,
  storageReadyUpdate,
  submitUpdate,
  type RegisterProof,
} from '../messages.js';
import { checkInvitationHash, checkOwnerId, inviteOwner, refuseUnlessOpen, registerOwner, removeOwner, submit } from './owners-phase.js';
import type { JobRun } from './state.js';

export function setJobHandlers(run: JobRun): void {
  setHandler(statusQuery, () => run.state);
  // An older API used it with update-with-start to wait for the buckets; kept so its jobs still answer.
  setHandler(storageReadyUpdate, async () => {
    await condition(() => run.state.phase !== 'Creating Storage');
    if (run.storageError) throw ApplicationFailure.create({ type: FAILURE.storageCreation, message: run.storageError, nonRetryable: true });
    return run.ref;
  });
  setHandler(registerDataOwnerUpdate, (owner, proof) => registerOwner(run, owner, proof), {
    validator: (owner: string, _proof?: RegisterProof) => {
      checkOwnerId(owner);
      refuseUnlessOpen(run);
    },
  });
  setHandler(inviteOwnerUpdate, (owner, sha256) => inviteOwner(run, owner, sha256), {
    validator: (owner, sha256) => {
      checkOwnerId(owner);
      checkInvitationHash(sha256);
      refuseUnlessOpen(run);
    },
  });
  setHandler(removeOwnerUpdate, (owner) => removeOwner(run, owner), {
    validator: (owner) => {
      checkOwnerId(owner);
      refuseUnlessOpen(run);
    },
  });
  setHandler(submitUpdate, () => submit(run), { validator: () => refuseUnlessOpen(run) });
  // The first report counts; a later one changes nothing.
  setHandler(storageCreatedSignal, (report) => void (run.storageReport ??= report));
  setHandler(retrySignal, () => void (run.operatorChoice = 'retry'));
  setHandler(abortSignal, () => void (run.operatorChoice = 'abort'));
}
