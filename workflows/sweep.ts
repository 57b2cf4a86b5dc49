// The sweep workflow, run by a Temporal Schedule (and by hand): removes what closed or unknown jobs
// left behind. All the work is one idempotent activity; the workflow only gives it retries and a
// place in the Web UI.
import { proxyActivities } from '@temporalio/workflow';
import type { SweepActivities, SweepReport } from './activity-types.js';

const { sweepOrphans } = proxyActivities<SweepActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '10 seconds' },
});

export async function sweepWorkflow(): Promise<SweepReport> {
  return sweepOrphans();
}
