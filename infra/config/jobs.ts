// Job limits, lifetimes and stage timing: what the workflow and the sweep enforce.
import type { RawEnv } from './schema.js';
import { MAX_URL_TTL_SECONDS } from './schema.js';
import { ConfigError, type Config } from './types.js';
import { boolOf } from './values.js';

type JobSettings = Pick<
  Config,
  | 'uploadUrlTtlSeconds' | 'readUrlTtlSeconds' | 'jobTtlSeconds' | 'stage' | 'statusQueryTimeoutMs' | 'failedStageHoldSeconds'
  | 'maxOwners' | 'maxShareBytes' | 'maxOpenJobs' | 'resultTtlSeconds' | 'deleteInputsOnEnd' | 'sweepIntervalSeconds' | 'deploymentId'
>;

export function jobSettings(e: RawEnv): JobSettings {
  // S3 and GCS refuse to sign past 7 days (create_job would answer 500 at the first register), and
  // Azure signs for years: one cap, the same on every cloud.
  for (const name of ['QS_UPLOAD_URL_TTL', 'QS_READ_URL_TTL'] as const) {
    const v = e[name];
    if (v !== undefined && (Number(v) < 1 || Number(v) > MAX_URL_TTL_SECONDS)) throw new ConfigError(name, `${name} must be from 1 to ${MAX_URL_TTL_SECONDS} seconds (7 days, what S3 and GCS sign at most)`);
  }
  return {
    uploadUrlTtlSeconds: Number(e.QS_UPLOAD_URL_TTL ?? 3600),
    readUrlTtlSeconds: Number(e.QS_READ_URL_TTL ?? 3600),
    jobTtlSeconds: Number(e.QS_JOB_TTL ?? 7 * 24 * 3600),
    stage: {
      timeoutSeconds: Number(e.QS_STAGE_TIMEOUT ?? 1800),
      heartbeatTimeoutSeconds: Number(e.QS_STAGE_HEARTBEAT_TIMEOUT ?? 60),
      retries: Number(e.QS_STAGE_RETRIES ?? 3),
    },
    statusQueryTimeoutMs: Number(e.QS_STATUS_QUERY_TIMEOUT_MS ?? 2000),
    failedStageHoldSeconds: Number(e.QS_FAILED_STAGE_HOLD ?? 0),
    maxOwners: Number(e.QS_MAX_OWNERS ?? 1000),
    maxShareBytes: Number(e.QS_MAX_SHARE_BYTES ?? 1024 ** 3),
    maxOpenJobs: Number(e.QS_MAX_OPEN_JOBS ?? 100),
    resultTtlSeconds: Number(e.QS_RESULT_TTL ?? 7 * 24 * 3600),
    deleteInputsOnEnd: boolOf(e.QS_DELETE_INPUTS_ON_END, true),
    sweepIntervalSeconds: Number(e.QS_SWEEP_INTERVAL ?? 3600),
    deploymentId: e.QS_DEPLOYMENT_ID,
  };
}
