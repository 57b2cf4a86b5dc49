// Test helpers that act as the service's users would: an analyst creating a job, a data owner sharing
// rows and PUTting one file per party through the presigned URLs.
import { expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import { shareTable } from '../../domain/shares.js';
import type { JobInput } from '../../workflows/messages.js';
import type { JobConfig, Provider, SecurityLevel } from '../../domain/job.js';
import type { Stack } from './stack.js';

export const SCHEMA = { age: 'years', salary: 'usd' };

/**
 * The payroll job the stage tests run through the real playbooks (no API: they play the worker's part),
 * with a fresh id, and its two owners' rows (age, salary).
 */
export function payrollJob(): JobConfig {
  return {
    jobId: randomUUID(),
    analysisName: 'payroll',
    querySql: 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll',
    securityLevel: 'semi',
    cloudProviders: ['aws', 'gcp', 'azure'],
    schema: SCHEMA,
    createdAt: new Date().toISOString(),
  };
}
export const PAYROLL_OWNERS = { bob: [[52, 700], [19, 1200]], alice: [[30, 1000], [41, -2500]] };

export function jobBody(over: Record<string, unknown> = {}) {
  return {
    analysis_name: 'payroll',
    query_sql: 'SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll',
    security_level: 'semi',
    cloud_providers: ['aws', 'gcp', 'azure'],
    schema: SCHEMA,
    ...over,
  };
}

export async function createJob(stack: Stack, over: Record<string, unknown> = {}): Promise<string> {
  const res = await stack.call('POST', '/create_job', jobBody(over));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.job_id as string;
}

/** Registers the owner, secret-shares the rows and uploads one share file per party. */
export async function registerAndUpload(
  stack: Stack,
  jobId: string,
  owner: string,
  rows: number[][],
  job: { level?: SecurityLevel; providers?: Provider[]; columns?: string[] } = {},
): Promise<void> {
  const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner });
  expect(reg.status, JSON.stringify(reg.body)).toBe(200);
  const parties = jobParties({ jobId, securityLevel: job.level ?? 'semi', cloudProviders: job.providers ?? ['aws', 'gcp', 'azure'] });
  const files = shareTable(job.columns ?? Object.keys(SCHEMA), rows, parties.length);
  await Promise.all(
    parties.map(async (party, i) => {
      const res = await fetch(reg.body.presigned_urls[i], { method: 'PUT', headers: stack.storage.uploadHeaders(party), body: files[i] });
      expect(res.status, await res.text()).toBeLessThan(300);
    }),
  );
}

/** A job workflow's input as create_job builds it, for tests that play the API's part by hand. */
export function jobInput(stack: Stack, jobId: string, storageReportTimeoutMs: number): JobInput {
  return {
    job: { jobId, analysisName: 'x', querySql: 'SELECT COUNT(*) AS n FROM t', securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'], schema: { a: 'u' }, createdAt: new Date().toISOString() },
    options: { jobTtlMs: 3_600_000, stage: stack.config.stage, failedStageHoldMs: 0, deleteInputsOnEnd: false, storageReportTimeoutMs },
  };
}
