// The seed contract through real HTTP, a real dev server, a real worker and the three emulators; the
// stages are a test-only activity set here (the real playbooks run in test/e2e).
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jobParties } from '../../domain/names.js';
import { JOB_STATUSES } from '../../domain/job.js';
import { fakeStages } from '../helpers/fake-stages.js';
import { createJob, jobBody, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ activities: fakeStages() });
});
afterAll(async () => stack?.close());

describe('POST /create_job', () => {
  it('when the body is valid, then it answers a job id once every party bucket exists', async () => {
    const jobId = await createJob(stack);
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    for (const party of jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] })) {
      const cloud = (await import('../../infra/storage/index.js')).cloudStorages(stack.config)[party.provider];
      expect(await cloud.bucketExists(party.inputBucket)).toBe(true);
      expect(await cloud.bucketExists(party.outputBucket)).toBe(true);
    }
  });

  it('when fields are missing, then 400 lists every missing field', async () => {
    const res = await stack.call('POST', '/create_job', {});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('missing necessary fields');
    expect(res.body.missing_fields).toEqual(['analysis_name', 'query_sql', 'security_level', 'cloud_providers', 'schema']);
  });

  it.each([
    [{ security_level: 'high' }, 'security_level'],
    [{ cloud_providers: [] }, 'cloud_providers'],
    [{ cloud_providers: ['aws', 'ibm'] }, 'cloud_providers[1]'],
    [{ cloud_providers: 'aws' }, 'cloud_providers'],
    [{ schema: {} }, 'schema'],
    [{ schema: { 'bad name': 'x' } }, 'schema column'],
    [{ schema: ['a'] }, 'schema'],
    [{ analysis_name: 42 }, 'analysis_name'],
    [{ analysis_name: '' }, 'analysis_name'],
    [{ query_sql: 'DROP TABLE x' }, 'query_sql'],
    [{ query_sql: 'SELECT SUM(bonus) FROM payroll' }, 'bonus'],
    [{ query_sql: 'SELECT age FROM payroll JOIN other ON age = other.age' }, 'JOIN'],
    [{ query_sql: 'SELECT SUM(salary) / 2 FROM payroll' }, '/'],
  ])('when %j, then 400 names the field', async (over, field) => {
    const res = await stack.call('POST', '/create_job', jobBody(over));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toContain(field);
  });

  it('when the SQL is outside the grammar, then 400 QS_INVALID_QUERY names query_sql, the construct and its position; within it (WHERE, GROUP BY, AVG, HAVING, ORDER BY … LIMIT), the job is created', async () => {
    const res = await stack.call('POST', '/create_job', jobBody({ query_sql: 'SELECT age FROM payroll UNION SELECT salary FROM payroll' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'QS_INVALID_QUERY', construct: 'UNION' });
    expect(res.body.error).toMatch(/^query_sql: .*UNION.*\(at 1:\d+\)/);
    const sql = 'SELECT age, AVG(salary) FROM payroll WHERE age BETWEEN 20 AND 60 GROUP BY age HAVING COUNT(*) > 1 ORDER BY 2 DESC LIMIT 3';
    const ok = await stack.call('POST', '/create_job', jobBody({ query_sql: sql }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('when the JSON is invalid (the seed sample has a trailing comma), then 400 JSON, not an HTML page', async () => {
    const res = await stack.call('POST', '/create_job', '{"analysis_name": "x", "schema": {"a": "b"},}');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('QS_INVALID_JSON');
    expect(res.body.error).toMatch(/not valid JSON/);
  });

  it('when the body is not an object, then 400', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      const res = await stack.call('POST', '/create_job', body);
      expect(res.status, body).toBe(400);
      expect(res.body.error).toBeTypeOf('string');
    }
  });

  it('when the content type is not JSON, then 415 JSON', async () => {
    const res = await stack.call('POST', '/create_job', undefined, { 'content-type': 'text/plain' });
    expect([400, 415]).toContain(res.status);
    expect(res.body.error).toBeTypeOf('string');
  });

  it('when a hyphen alias is used, then it behaves the same', async () => {
    const res = await stack.call('POST', '/create-job', jobBody());
    expect(res.status).toBe(200);
    const st = await stack.call('GET', `/get-status?job_id=${res.body.job_id}`);
    expect(st.status).toBe(409);
  });
});

describe('POST /register_data_owner', () => {
  it('when the job is open, then one write URL per party, fresh on every call, the owner recorded once', async () => {
    const jobId = await createJob(stack, { security_level: 'mal' });
    const a = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'alice@example.org' });
    expect(a.status).toBe(200);
    expect(a.body.job_id).toBe(jobId);
    expect(a.body.presigned_urls).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 1100));
    const b = await stack.call('POST', '/register-data-owner', { job_id: jobId, data_owner: 'alice@example.org' });
    expect(b.status).toBe(200);
    expect(b.body.presigned_urls).not.toEqual(a.body.presigned_urls);
    const { statusQuery } = await import('../../workflows/messages.js');
    const state = await stack.client.workflow.getHandle(jobId).query(statusQuery);
    expect(state.owners).toEqual(['alice@example.org']);
  });

  it('when the job is unknown or the id is not a UUID, then 404', async () => {
    expect((await stack.call('POST', '/register_data_owner', { job_id: randomUUID(), data_owner: 'a' })).status).toBe(404);
    expect((await stack.call('POST', '/register_data_owner', { job_id: '../etc', data_owner: 'a' })).status).toBe(404);
  });

  it('when a field is missing or the owner id is unsafe, then 400', async () => {
    const jobId = await createJob(stack);
    const missing = await stack.call('POST', '/register_data_owner', { job_id: jobId });
    expect(missing.status).toBe(400);
    expect(missing.body.missing_fields).toEqual(['data_owner']);
    // "alice." would name alice's blob on Azure, which drops trailing dots
    for (const owner of ['../x', 'a/b', '', '.hidden', 'x'.repeat(200), 'é', 'a\u0000b', 7, 'alice.', 'alice..']) {
      const res = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner });
      expect(res.status, String(owner)).toBe(400);
    }
    for (const owner of ['a', 'alice.smith', 'alice_', 'x'.repeat(128)]) {
      expect((await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner })).status, owner).toBe(200);
    }
  });

  it('when an open job was cancelled, then register answers 409 saying the job has ended (not 503), also for an owner registered before', async () => {
    const jobId = await createJob(stack);
    expect((await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'erin' })).status).toBe(200);
    expect((await stack.call('POST', '/cancel_job', { job_id: jobId })).status).toBe(200);
    await stack.client.workflow.getHandle(jobId).result().catch(() => undefined);
    for (const owner of ['erin', 'fred']) {
      const res = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: owner });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.code).toBe('QS_JOB_FINISHED');
    }
  });
});

describe('POST /submit_job and GET /get_status', () => {
  it('when nothing was uploaded, then 500 Data validation failed and the job stays open', async () => {
    const jobId = await createJob(stack);
    const none = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(none.status).toBe(500);
    expect(none.body.error).toBe('Data validation failed');
    expect(none.body.details.join(' ')).toMatch(/no data owner/);
    await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'bob' });
    const missing = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(missing.status).toBe(500);
    expect(missing.body.details.join(' ')).toMatch(/missing/);
    // still open: uploading now and submitting again works
    await registerAndUpload(stack, jobId, 'bob', [[30, 1000]]);
    const ok = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('when a share file header does not match the schema, then 500 with details', async () => {
    const jobId = await createJob(stack, { cloud_providers: ['aws'] });
    const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'carol' });
    const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws'] });
    for (const [i, party] of parties.entries()) {
      await fetch(reg.body.presigned_urls[i], { method: 'PUT', headers: stack.storage.uploadHeaders(party), body: 'wrong,header\n1,2\n' });
    }
    const res = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(res.status).toBe(500);
    expect(res.body.details).toHaveLength(3);
    expect(res.body.details[0]).toMatch(/header/);
  });

  it('when an owner uploaded plaintext rows instead of shares, then submit refuses without echoing the file in the answer or the history', async () => {
    const jobId = await createJob(stack, { cloud_providers: ['aws'] });
    const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'dora' });
    const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws'] });
    const secret = 'dora-ssn-123-45-6789';
    for (const [i, party] of parties.entries()) {
      await fetch(reg.body.presigned_urls[i], { method: 'PUT', headers: stack.storage.uploadHeaders(party), body: `${secret},91000\n` });
    }
    const res = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(res.status).toBe(500);
    expect(res.body.details).toHaveLength(3);
    expect(res.body.details[0]).toMatch(/header does not match the schema.*2 field\(s\)/);
    expect(JSON.stringify(res.body)).not.toContain('123-45');
    // every payload of the history, decoded (the update's outcome among them)
    const json: string = historyToJSON(await stack.client.workflow.getHandle(jobId).fetchHistory());
    const payloads = [...json.matchAll(/"data": ?"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
    expect(payloads).toContain('header does not match the schema');
    expect(payloads).not.toContain('123-45');
  });

  it('when the schema is as wide as allowed (its share header over 64 KiB), then correct uploads validate', async () => {
    const columns = Array.from({ length: 256 }, (_, i) => `c${String(i).padStart(3, '0')}_${'x'.repeat(58)}`);
    const jobId = await createJob(stack, { security_level: 'mal', schema: Object.fromEntries(columns.map((c) => [c, 'u'])), query_sql: `SELECT COUNT(*) AS n FROM payroll` });
    await registerAndUpload(stack, jobId, 'wide', [columns.map((_, i) => i)], { level: 'mal', columns });
    const res = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  });

  it('when the uploads are complete, then submit starts the stages, which walk every status to Success', async () => {
    const jobId = await createJob(stack);
    await registerAndUpload(stack, jobId, 'alice', [[30, 1000], [40, 2000]]);
    await registerAndUpload(stack, jobId, 'bob', [[50, -500]]);
    expect((await stack.call('GET', `/get_status?job_id=${jobId}`)).status).toBe(409);
    const sub = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(sub.status).toBe(200);
    expect(sub.body).toEqual({ status: 'success', job_id: jobId });

    const dup = await stack.call('POST', '/submit_job', { job_id: jobId });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: 'Duplicated submission', job_id: jobId });
    const late = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'mallory' });
    expect(late.status).toBe(409);

    const { seen, last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail');
    for (const s of seen) expect(JOB_STATUSES).toContain(s);
    expect(seen[seen.length - 1]).toBe('Success');
    expect(last!.body.result).toHaveLength(3);
    expect(last!.body.stages.map((s: { name: string }) => s.name)).toEqual(['createVMs', 'setupAuthentication', 'deployTvaCore', 'runExperiment', 'deleteVMs']);
    expect(last!.body.stages.every((s: { state: string; attempts: number }) => s.state === 'succeeded' && s.attempts === 1)).toBe(true);
  });

  it('when the job id is unknown, then 404; when missing, then 400', async () => {
    const res = await stack.call('GET', `/get_status?job_id=${randomUUID()}`);
    expect(res.status).toBe(404);
    expect((await stack.call('POST', '/submit_job', { job_id: randomUUID() })).body).toMatchObject({ error: 'Job ID not found' });
    expect((await stack.call('GET', '/get_status')).status).toBe(400);
  });
});
