// Deterministic names: a retried creation finds what exists and creates only what is missing, and a
// sweep finds every QueryShield bucket by its prefix. Valid on S3, GCS and Azure (lowercase, 3-63).
import { OWNER_ID_PATTERN, partyProviders, type JobConfig, type PartyInfo } from './job.js';

export { OWNER_ID_PATTERN };
export const BUCKET_PREFIX = 'qs-';
export const RESULT_BLOB = 'result';

export function isValidOwnerId(s: unknown): s is string {
  return typeof s === 'string' && OWNER_ID_PATTERN.test(s);
}

/** qs-<32 hex of the job uuid>-p<i>-in|out: 41-42 characters. */
export function bucketName(jobId: string, party: number, kind: 'in' | 'out'): string {
  const hex = jobId.toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a job id: ${JSON.stringify(jobId)}`);
  return `${BUCKET_PREFIX}${hex}-p${party}-${kind}`;
}

/** The job id a bucket name belongs to, or undefined for a bucket that is not QueryShield's. */
/** A job id as the API makes them (randomUUID: lowercase). Anything read back from a cloud (a tag, a
 *  bucket name, a report) names a job only if it is one of these. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isJobId = (value: unknown): value is string => typeof value === 'string' && JOB_ID_PATTERN.test(value);

export function jobIdOfBucket(name: string): string | undefined {
  const m = /^qs-([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})-p\d+-(in|out)$/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}` : undefined;
}

export function jobParties(job: Pick<JobConfig, 'jobId' | 'cloudProviders' | 'securityLevel'>): PartyInfo[] {
  return partyProviders(job.cloudProviders, job.securityLevel).map((provider, index) => ({
    index,
    provider,
    inputBucket: bucketName(job.jobId, index, 'in'),
    outputBucket: bucketName(job.jobId, index, 'out'),
  }));
}
