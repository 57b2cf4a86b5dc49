// The whole data path in the embedded default, as users do it: create (the SQL compiled to a plan) →
// register the owners → share their rows locally → PUT through the presigned URLs → submit → every status
// in order → Success → download the result shares → rebuild (resultTable) → equals evaluatePlan's answer.
// Real playbooks, real engine (--plan) on local parties, real emulators, real dev server. Every query the
// issue "SQL on shares" names (the credit score query, the four wage-gap queries, a filter with ORDER BY …
// DESC LIMIT, the seed's `SELECT * FROM traffic_data`) as a job of its own on 3 parties (semi) and on 4
// (mal): fourteen jobs, all started at once in beforeAll (the worker runs their stages side by side, so the
// file takes about as long as its slowest job, not the sum); each test then waits for its own job.
// sql-queries.test.ts runs the same queries (and SUM/COUNT) through the stage playbooks directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import path from 'node:path';
import { createJob, registerAndUpload } from '../helpers/jobs.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { CASES, expectResult, type SqlCase } from './sql-fixtures.js';

const LEVELS = [['semi', 3], ['mal', 4]] as const;
type Level = (typeof LEVELS)[number][0];
/** The issue's seven queries (the fixtures' SUM/COUNT case is the old engine's, run by the stage tests). */
const QUERIES = CASES.filter((c) => c.name !== 'SUM and COUNT (one row)');

let stack: Stack;
// A distinctive S3 secret (moto accepts any), so the history check below can look for it.
const S3_SECRET = `e2e-secret-${Math.random().toString(36).slice(2)}`;

interface JobRun {
  jobId: string;
  seen: string[];
  last: { status: number; body: any };
  files: string[];
  seconds: number;
}
/** Settled promises only: a job failing before its test awaits it must not be an unhandled rejection. */
const runs = new Map<string, Promise<{ run?: JobRun; error?: unknown }>>();
const runKey = (level: Level, c: SqlCase) => `${level}: ${c.name}`;

/** A request that a loaded machine may drop (a keep-alive socket closed under it) is tried again, as a client
 *  would; an answer, whatever its status, is returned as it is. */
async function again<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/**
 * Polls get_status (once a second: fourteen jobs poll at once) until Fail, or Success with the result's read
 * URLs: while the worker is too busy to answer the workflow query in time, the API answers from the search
 * attribute, which has the status but no URLs, so a Success without them is polled again.
 */
async function waitForResult(jobId: string) {
  const seen: string[] = [];
  const deadline = Date.now() + 1_500_000;
  for (;;) {
    const last = await again(() => stack.call('GET', `/get_status?job_id=${jobId}`));
    const s = last.body?.status as string | undefined;
    if (s && seen[seen.length - 1] !== s) seen.push(s);
    if (s === 'Fail' || (s === 'Success' && Array.isArray(last.body.result))) return { seen, last };
    if (Date.now() > deadline) throw new Error(`job ${jobId}: no result in time; statuses seen: ${seen.join(' → ')}; last: ${JSON.stringify(last.body)}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** One job as its users drive it, up to the downloaded result shares. */
async function runJob(level: Level, c: SqlCase): Promise<JobRun> {
  const started = Date.now();
  const jobId = await createJob(stack, { analysis_name: c.name, security_level: level, query_sql: c.sql, schema: c.schema });
  for (const [owner, rows] of Object.entries(c.owners)) await registerAndUpload(stack, jobId, owner, rows, { level, columns: Object.keys(c.schema) });
  const submitted = await stack.call('POST', '/submit_job', { job_id: jobId });
  if (submitted.status !== 200) throw new Error(`submit_job answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  const { seen, last } = await waitForResult(jobId);
  const urls: string[] = last.body.result ?? [];
  const files = await Promise.all(urls.map((u) => again(async () => {
    const res = await fetch(u);
    if (!res.ok) throw new Error(`a result share answered ${res.status}`);
    return res.text();
  })));
  return { jobId, seen, last, files, seconds: (Date.now() - started) / 1000 };
}

beforeAll(async () => {
  stack = await startStack({ env: { QS_S3_SECRET_ACCESS_KEY: S3_SECRET } });
  for (const [level] of LEVELS) {
    for (const c of QUERIES) runs.set(runKey(level, c), runJob(level, c).then((run) => ({ run }), (error: unknown) => ({ error })));
  }
}, 120_000);

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
afterAll(async () => {
  // A failed test leaves its job running; wait for every job so none is cut off mid-stage by the stack's end.
  await Promise.all(runs.values());
  await stack?.close();
}, 1_600_000);

const ORDER = ['Submitted', 'Creating VMs', 'VMs Created', 'Setting Up Authentication', 'Finished Authentication Setup', 'Deploying TVA Core', 'Finished TVA Core Deployment', 'Running Experiment', 'Success'];

describe.each(LEVELS)('a %s job (%i parties) on aws, gcp and azure, one per issue-17 query', (level, parties) => {
  it.each(QUERIES.map((c) => [c.name, c] as const))('%s: when the owners upload and the analyst submits, then the rebuilt result equals evaluatePlan on the plaintext', { timeout: 1_600_000 }, async (_name, c) => {
    const { run, error } = await runs.get(runKey(level, c))!;
    if (!run) throw error;
    const { jobId, seen, last, files } = run;
    expect(last.body.status, JSON.stringify(last.body.stages, null, 1)).toBe('Success');
    // Polling may miss a short status, never reorder them.
    const positions = seen.map((s) => ORDER.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    expect(files).toHaveLength(parties);
    const got = expectResult(c, files);
    console.log(`${level} ${c.name}: ${run.seconds.toFixed(0)} s from create to the result: ${JSON.stringify(got)}`);

    await assertNoSecretsInHistory(jobId);

    // Teardown left no party folder behind.
    const jobDir = path.join(stack.config.dataDir, 'jobs', jobId);
    const leftovers = existsSync(jobDir) ? readdirSync(jobDir).filter((f) => f.startsWith('party') || f === 'ssh') : [];
    expect(leftovers).toEqual([]);
  });
});
