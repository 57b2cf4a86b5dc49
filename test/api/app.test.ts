// The HTTP contract through app.inject with a fake gateway and storage (test/helpers/fake-gateway.ts):
// the seed contract's answers, byte for byte where it fixes them, without Temporal or the emulators.
// The same routes run end to end against the real stack in the other files of this folder.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/app.js';
import type { JobConfig } from '../../domain/job.js';
import { loadConfig } from '../../infra/config.js';
import { FakeGateway, fakeStorage } from '../helpers/fake-gateway.js';
import { jobBody } from '../helpers/jobs.js';

const config = loadConfig({ QS_COMPUTE: 'local', QS_RATE_LIMIT: '100000' });
const gateway = new FakeGateway();
const storage = fakeStorage();
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApi(config, { gateway, storage });
});
afterAll(async () => app?.close());

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : typeof payload === 'string' ? { payload, headers: { 'content-type': 'application/json' } } : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() };
}

function plantedJob(over: Partial<JobConfig> = {}): JobConfig {
  return { jobId: randomUUID(), analysisName: 'payroll', querySql: 'SELECT SUM(salary) FROM payroll', securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'], schema: { age: 'years', salary: 'usd' }, createdAt: '2026-01-01T00:00:00.000Z', ...over };
}

describe('POST /create_job', () => {
  it('when the body is valid, then the buckets are made, the workflow started with a typed memo, the report sent, and the job id answered', async () => {
    const res = await call('POST', '/create_job', jobBody());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const start = gateway.started.at(-1)!;
    expect(res.body).toEqual({ job_id: start.job.jobId });
    expect(start.job).toMatchObject({ analysisName: 'payroll', securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    expect([...storage.made].filter((b) => b.includes(start.job.jobId.replace(/-/g, '')))).toHaveLength(3);
    await expect.poll(() => gateway.jobs.get(start.job.jobId)?.state?.phase).toBe('Open');
  });

  it.each<[unknown, number, Record<string, unknown>]>([
    [{}, 400, { error: 'missing necessary fields', code: 'QS_MISSING_FIELDS', missing_fields: ['analysis_name', 'query_sql', 'security_level', 'cloud_providers', 'schema'] }],
    [jobBody({ analysis_name: null }), 400, { error: 'missing necessary fields', code: 'QS_MISSING_FIELDS', missing_fields: ['analysis_name'] }],
    ['[1,2]', 400, { error: 'the request body must be a JSON object', code: 'QS_BODY_NOT_OBJECT' }],
    ['null', 400, { error: 'the request body must be a JSON object', code: 'QS_BODY_NOT_OBJECT' }],
    [jobBody({ security_level: 'high' }), 400, { error: 'security_level must be one of "semi", "mal", got "high"', code: 'QS_INVALID_FIELD' }],
    [jobBody({ cloud_providers: ['aws', 'ibm'] }), 400, { error: 'cloud_providers[1] must be one of "aws", "gcp", "azure", got "ibm"', code: 'QS_INVALID_FIELD' }],
    [jobBody({ cloud_providers: [] }), 400, { error: 'cloud_providers must not be empty', code: 'QS_INVALID_FIELD' }],
    [jobBody({ cloud_providers: Array(17).fill('aws') }), 400, { error: 'cloud_providers has too many entries (17, at most 16)', code: 'QS_INVALID_FIELD' }],
    [jobBody({ analysis_name: 42 }), 400, { error: 'analysis_name must be a string, got a number', code: 'QS_INVALID_FIELD' }],
    [jobBody({ analysis_name: 'x'.repeat(201) }), 400, { error: 'analysis_name is too long (201 characters, at most 200)', code: 'QS_INVALID_FIELD' }],
    [jobBody({ analysis_name: '  ' }), 400, { error: 'analysis_name must not be blank or contain NUL characters', code: 'QS_INVALID_FIELD' }],
    [jobBody({ query_sql: 'SELECT 1\u0000' }), 400, { error: 'query_sql must not be blank or contain NUL characters', code: 'QS_INVALID_FIELD' }],
    [jobBody({ schema: { 'bad name': 'x' } }), 400, { error: 'schema column "bad name" is not an identifier (letters, digits, _; not starting with a digit; at most 63)', code: 'QS_INVALID_FIELD' }],
    [jobBody({ schema: { age: 7 } }), 400, { error: 'schema.age must be a string, got a number', code: 'QS_INVALID_FIELD' }],
    [jobBody({ schema: { age: 'u'.repeat(65) } }), 400, { error: 'schema.age is too long (65 characters, at most 64)', code: 'QS_INVALID_FIELD' }],
    [jobBody({ schema: {} }), 400, { error: 'schema must not be empty', code: 'QS_INVALID_FIELD' }],
  ])('when %j, then %i %j', async (body, status, answer) => {
    const res = await call('POST', '/create_job', body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(answer);
  });

  it('when the query is outside the grammar or a provider is not enabled here, then 400 naming the field, checked in code', async () => {
    const union = await call('POST', '/create_job', jobBody({ query_sql: 'SELECT age FROM payroll UNION SELECT salary FROM payroll' }));
    expect(union.body).toMatchObject({ code: 'QS_INVALID_QUERY', construct: 'UNION' });
    expect(union.body.error).toMatch(/^query_sql: /);
    const only = await buildApi(loadConfig({ QS_COMPUTE: 'local', QS_PROVIDERS: 'aws' }), { gateway, storage });
    const res = await only.inject({ method: 'POST', url: '/create_job', payload: jobBody() });
    expect(res.json()).toEqual({ error: 'cloud_providers[1]: "gcp" is not enabled on this server (enabled: aws)', code: 'QS_INVALID_FIELD' });
    await only.close();
  });

  it('when Temporal does not take the job, then 503 and the buckets made meanwhile are removed', async () => {
    const before = storage.made.size;
    gateway.down = true;
    try {
      const res = await call('POST', '/create_job', jobBody());
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('QS_TEMPORAL_UNAVAILABLE');
    } finally {
      gateway.down = false;
    }
    expect(storage.made.size).toBe(before);
  });
});

describe('register, submit, status', () => {
  it('when a job id is no UUID or unknown, then 404 Job ID not found echoing it', async () => {
    expect(await call('POST', '/register_data_owner', { job_id: '../etc', data_owner: 'a' })).toEqual({ status: 404, body: { error: 'Job ID not found', code: 'QS_JOB_NOT_FOUND', job_id: '../etc' } });
    expect(await call('POST', '/submit_job', { job_id: 7 })).toEqual({ status: 404, body: { error: 'Job ID not found', code: 'QS_JOB_NOT_FOUND', job_id: '7' } });
    const unknown = randomUUID();
    expect(await call('GET', `/get_status?job_id=${unknown}`)).toEqual({ status: 404, body: { error: 'Job ID not found', code: 'QS_JOB_NOT_FOUND', job_id: unknown } });
    expect((await call('GET', '/get_status')).body).toEqual({ error: 'missing necessary fields', code: 'QS_MISSING_FIELDS', missing_fields: ['job_id'] });
  });

  it('when an open job is registered to, submitted twice and asked for, then the seed answers in order', async () => {
    const job = plantedJob();
    gateway.plant(job);
    expect((await call('GET', `/get_status?job_id=${job.jobId}`)).status).toBe(409);
    expect((await call('POST', '/submit_job', { job_id: job.jobId })).body).toEqual({ error: 'Data validation failed', code: 'QS_VALIDATION_FAILED', job_id: job.jobId, details: ['no data owner registered'] });
    const reg = await call('POST', '/register_data_owner', { job_id: job.jobId.toUpperCase(), data_owner: 'alice' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    expect(reg.body).toMatchObject({ job_id: job.jobId });
    expect(reg.body.presigned_urls).toHaveLength(3);
    expect(await call('POST', '/submit_job', { job_id: job.jobId })).toEqual({ status: 200, body: { status: 'success', job_id: job.jobId } });
    expect((await call('POST', '/submit-job', { job_id: job.jobId })).body).toEqual({ error: 'Duplicated submission', code: 'QS_DUPLICATED_SUBMISSION', job_id: job.jobId });
    expect((await call('POST', '/register_data_owner', { job_id: job.jobId, data_owner: 'bob' })).body.code).toBe('QS_JOB_SUBMITTED');
    expect(await call('GET', `/get_status?job_id=${job.jobId}`)).toEqual({ status: 200, body: { status: 'Submitted', job_id: job.jobId, stages: [] } });
  });

  it('when a stage runs, then its live attempt, task and last error come from the pending activity; on Success the result URLs', async () => {
    const job = plantedJob();
    const stage = { name: 'createVMs' as const, status: 'Creating VMs', state: 'running' as const, attempts: 1, startedAt: '2026-01-01T00:00:01.000Z' };
    const fake = gateway.plant(job, { recordedStatus: 'Creating VMs', state: { phase: 'Creating VMs', status: 'Creating VMs', stages: [stage] } });
    fake.desc.pending = [{ name: 'createVMs', attempt: 2, task: 'create the hosts', lastFailure: 'boom' }];
    const res = await call('GET', `/get_status?job_id=${job.jobId}`);
    expect(res.body).toEqual({ status: 'Creating VMs', job_id: job.jobId, stages: [{ name: 'createVMs', status: 'Creating VMs', state: 'running', attempts: 2, started_at: stage.startedAt, progress: 'create the hosts', error: 'attempt 1 failed: boom' }] });
    const done = plantedJob();
    gateway.plant(done, { execution: 'COMPLETED', recordedStatus: 'Success', state: { phase: 'Success', status: 'Success' } });
    expect((await call('GET', `/get_status?job_id=${done.jobId}`)).body.result).toHaveLength(3);
  });

  it('when no worker answers, then the status the job recorded; a job closed from outside is Fail naming its last status', async () => {
    const running = plantedJob();
    gateway.plant(running, { recordedStatus: 'Running Experiment', state: null });
    expect((await call('GET', `/get_status?job_id=${running.jobId}`)).body).toEqual({ status: 'Running Experiment', job_id: running.jobId, stages: [] });
    const terminated = plantedJob();
    gateway.plant(terminated, { execution: 'TERMINATED', recordedStatus: 'Deploying TVA Core', state: null });
    expect((await call('GET', `/get_status?job_id=${terminated.jobId}`)).body).toEqual({ status: 'Fail', job_id: terminated.jobId, stages: [], error: 'Failed. Last status is Deploying TVA Core.' });
    // A Success recorded while no worker answers still gives one result URL per party (from the memo), so
    // `qs result` and the web page can read it; before, the answer was Success with nothing to read.
    const done = plantedJob();
    gateway.plant(done, { execution: 'COMPLETED', recordedStatus: 'Success', state: null });
    const body = (await call('GET', `/get_status?job_id=${done.jobId}`)).body;
    expect(body).toMatchObject({ status: 'Success', job_id: done.jobId, stages: [] });
    expect(body.result).toHaveLength(3);
  });

  it('when the job has ended, then register and cancel answer 409 QS_JOB_FINISHED', async () => {
    const job = plantedJob();
    gateway.plant(job, { execution: 'CANCELLED' });
    expect((await call('POST', '/register_data_owner', { job_id: job.jobId, data_owner: 'erin' })).body).toEqual({ error: 'the job has already finished', code: 'QS_JOB_FINISHED', job_id: job.jobId });
    expect((await call('POST', '/cancel_job', { job_id: job.jobId })).status).toBe(409);
  });
});

describe('GET /jobs and /healthz', () => {
  it('when listing, then the memo is the summary; bad status, limit or token are 400 naming the field', async () => {
    const job = plantedJob({ analysisName: 'listed' });
    gateway.plant(job, { recordedStatus: 'Fail' });
    const res = await call('GET', '/jobs?status=Fail&limit=5');
    expect(res.body.jobs).toContainEqual({ job_id: job.jobId, analysis_name: 'listed', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], party_count: 3, status: 'Fail' });
    expect((await call('GET', '/jobs?limit=0')).body).toEqual({ error: 'limit must be an integer from 1 to 100', code: 'QS_INVALID_FIELD' });
    expect((await call('GET', '/jobs?page_token=%2F..%2F')).body).toEqual({ error: 'page_token is not a token this API returned', code: 'QS_INVALID_FIELD' });
    expect((await call('GET', '/jobs?status=Done')).body.error).toMatch(/^status must be one of "Submitted", /);
  });

  it('when Temporal answers, then 200 with the worker; when it does not, 503 without the reason', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { temporal: 'ok', worker: 'ok' } });
    gateway.down = true;
    try {
      expect(await call('GET', '/healthz')).toMatchObject({ status: 503, body: { temporal: 'unreachable', worker: 'unknown' } });
    } finally {
      gateway.down = false;
    }
  });
});
