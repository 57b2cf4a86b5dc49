// The sweep workflow, run by a Temporal Schedule (and by hand): removes what closed or unknown jobs
// left behind. All the work is one idempotent activity; the workflow only gives it retries and a
// place in the Web UI.
import { proxyActivities } from '@temporalio/workflow';
import type { SweepActivities, SweepReport, SweepScope } from './activity-types.js';

const { sweepOrphans } = proxyActivities<SweepActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '10 seconds' },
});

/** `scope.jobIds` limits the sweep to those jobs (e.g. `temporal workflow start --type sweepWorkflow
 *  --input '{"jobIds":["<job id>"]}'`); without it every QueryShield resource is examined. */
export async function sweepWorkflow(scope: SweepScope = {}): Promise<SweepReport> {
  return sweepOrphans(scope);
}
