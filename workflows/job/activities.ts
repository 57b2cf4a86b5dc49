// The activity proxies the job workflow calls, with their timeouts and retries in one place.
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { StageActivities, StorageActivities } from '../activity-types.js';
import type { JobOptions } from '../messages.js';

const STORAGE_CALLS = { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 2, initialInterval: '1 second' } } as const;

/** The storage activities, each an activity of its own (operators see them in the Web UI). */
export const storage = proxyActivities<StorageActivities>(STORAGE_CALLS);

/** The same activities as local activities: they run inside the workflow task. Creating the buckets
 *  takes one round trip per cloud (in parallel), and as a local activity it spares create_job, which
 *  waits for it, two task round trips through Temporal. (Only jobs of an older API still use it.) */
export const storageInWorkflowTask = proxyLocalActivities<StorageActivities>(STORAGE_CALLS);

/** The stages, retried as the API's options say. */
export function stageActivities(options: JobOptions): StageActivities {
  return proxyActivities<StageActivities>({
    startToCloseTimeout: options.stage.timeoutSeconds * 1000,
    heartbeatTimeout: options.stage.heartbeatTimeoutSeconds * 1000,
    // Wait for the stage to acknowledge cancellation (its Ansible process group killed) before teardown.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: options.stage.retries, initialInterval: '2 seconds', backoffCoefficient: 2 },
  });
}

/** How many attempts teardown makes (what its record shows when all failed). */
export const TEARDOWN_ATTEMPTS = 10;

/** Teardown must end, whatever the stages did: more attempts, each waiting up to a minute. */
export function teardownActivities(options: JobOptions): StageActivities {
  return proxyActivities<StageActivities>({
    startToCloseTimeout: options.stage.timeoutSeconds * 1000,
    heartbeatTimeout: options.stage.heartbeatTimeoutSeconds * 1000,
    retry: { maximumAttempts: TEARDOWN_ATTEMPTS, initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });
}
