// The whole data path in the embedded default, as users do it: create (the SQL compiled to a plan) →
// register the owners → share their rows locally → PUT through the presigned URLs → submit → every status
// in order → Success → download the result shares → rebuild (resultTable) → equals evaluatePlan's answer.
// Real playbooks, real engine (--plan) on local parties, real emulators, real dev server. One job per level:
// the credit score query on 3 parties (semi), the first wage-gap query (AVG inside the engine) on 4 (mal);
// sql-queries.test.ts runs every issue-17 query on both levels through the same playbooks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import path from 'node:path';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, waitForStatus, type Stack } from '../helpers/stack.js';
import { caseByName, expectResult } from './sql-fixtures.js';

let stack: Stack;
// A distinctive S3 secret (moto accepts any), so the history check below can look for it.
const S3_SECRET = `e2e-secret-${Math.random().toString(36).slice(2)}`;
beforeAll(async () => {
  stack = await startStack({ env: { QS_S3_SECRET_ACCESS_KEY: S3_SECRET } });
});

/** Nothing secret may enter workflow history: the Web UI shows all of it. */
async function assertNoSecretsInHistory(jobId: string) {
  const history = JSON.stringify(historyToJSON(await stack.client.workflow.getHandle(jobId).fetchHistory()));
  const gcsKey = (JSON.parse(readFileSync(stack.config.gcs.keyFile, 'utf8')) as { private_key: string }).private_key;
  const forbidden: [string, RegExp | string][] = [
    ['S3 presigned signature', /X-Amz-Signature/i],
    ['GCS signed URL signature', /X-Goog-Signature/i],
    ['Azure SAS signature', /[?&]sig=/],
    ['a private key', /PRIVATE KEY/],
    ['the S3 secret', S3_SECRET],
    ['the Azure account key', stack.config.azure.key],
    ['the GCS signing key', gcsKey.split('\n')[1]],
  ];
  for (const [what, pattern] of forbidden) {
    const found = typeof pattern === 'string' ? history.includes(pattern) : pattern.test(history);
    expect(found, `${what} in the history of ${jobId}`).toBe(false);
  }
}
afterAll(async () => stack?.close());

const ORDER = ['Submitted', 'Creating VMs', 'VMs Created', 'Setting Up Authentication', 'Finished Authentication Setup', 'Deploying TVA Core', 'Finished TVA Core Deployment', 'Running Experiment', 'Success'];

describe.each([
  ['semi', 3, 'credit score'],
  ['mal', 4, 'wage gap by academia, degree'],
] as const)('a %s job (%i parties) on aws, gcp and azure: %s', (level, parties, query) => {
  it('when the owners upload and the analyst submits, then the rebuilt result equals evaluatePlan on the plaintext', { timeout: 600_000 }, async () => {
    const c = caseByName(query);
    const jobId = await createJob(stack, { analysis_name: c.name, security_level: level, query_sql: c.sql, schema: c.schema });
    for (const [owner, rows] of Object.entries(c.owners)) await registerAndUpload(stack, jobId, owner, rows, { level, columns: Object.keys(c.schema) });
    expect((await stack.call('POST', '/submit_job', { job_id: jobId })).status).toBe(200);

    const { seen, last } = await waitForStatus(stack, jobId, (s) => s === 'Success' || s === 'Fail', 600_000);
    expect(last!.body.status, JSON.stringify(last!.body.stages, null, 1)).toBe('Success');
    // Polling may miss a short status, never reorder them.
    const positions = seen.map((s) => ORDER.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const urls: string[] = last!.body.result;
    expect(urls).toHaveLength(parties);
    const files = await Promise.all(urls.map(async (u) => (await fetch(u)).text()));
    const got = expectResult(c, files);
    console.log(`${level} ${c.name}: ${JSON.stringify(got)}`);

    await assertNoSecretsInHistory(jobId);

    // Teardown left no party folder behind.
    const jobDir = path.join(stack.config.dataDir, 'jobs', jobId);
    const leftovers = existsSync(jobDir) ? readdirSync(jobDir).filter((f) => f.startsWith('party') || f === 'ssh') : [];
    expect(leftovers).toEqual([]);
  });
});
