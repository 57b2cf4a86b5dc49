// The sweep removes only what this deployment made (issue 18), on every cloud and in local namespaces
// (issue 15, 6). The sweep activity runs here for real (real Ansible, the suite's moto EC2, real netns.sh)
// under a stand-in activity context, with a Temporal stand-in that reports every job closed (or unknown);
// buckets are the three emulators' own where they are at stake, stand-ins with none elsewhere.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { asyncLocalStorage } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT, type Config } from '../../infra/config.js';
import { localNetworkMode, NETNS_SCRIPT } from '../../infra/local-network.js';
import { createSweepActivities, parseCloudFindings, parseNetnsLeases } from '../../activities/sweep.js';
import type { CloudStorage } from '../../infra/storage/types.js';
import { JobStorage, cloudStorages } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import type { Provider } from '../../domain/job.js';
import { JOB_WORKFLOW_TYPE } from '../../workflows/messages.js';
import type { SweepReport, SweepScope } from '../../workflows/activity-types.js';
import { testConfig } from '../helpers/env.js';
import { ec2Instances, taggedInstance } from '../helpers/moto-ec2.js';

const run = promisify(execFile);

/** Runs one full sweep activity: every job is closed (terminated long ago, not a success), or with
 *  `forgotten`, unknown to Temporal (as once its retention is over). */
async function sweep(config: Config, scope: SweepScope, clouds?: Record<Provider, CloudStorage>, forgotten = false): Promise<SweepReport> {
  const client = {
    workflow: {
      getHandle: (id: string) => ({
        describe: async () => {
          if (forgotten) throw new WorkflowNotFoundError('not found', id, undefined);
          return { type: JOB_WORKFLOW_TYPE, status: { name: 'TERMINATED' }, closeTime: new Date(0), typedSearchAttributes: { get: () => 'Fail' } };
        },
      }),
    },
  } as unknown as Client;
  const noBuckets = { listBuckets: async () => [], listTaggedBuckets: async () => [], listBlobs: async () => [] } as unknown as CloudStorage;
  const acts = createSweepActivities({ config, client, clouds: clouds ?? { aws: noBuckets, gcp: noBuckets, azure: noBuckets } });
  const ctx = { heartbeat: () => undefined, sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) };
  return asyncLocalStorage.run(ctx as never, () => acts.sweepOrphans(scope));
}

describe('the sweep and other deployments (moto EC2)', () => {
  it("when a closed job's instances carry another deployment's id or none, then the sweep leaves them and removes only its own", { timeout: 180_000 }, async () => {
    const ours = `t${randomUUID().slice(0, 8)}`;
    const config = testConfig({ QS_COMPUTE: 'cloud', QS_PROVIDERS: 'aws', QS_DEPLOYMENT_ID: ours });
    const [mine, theirs, untagged] = [randomUUID(), randomUUID(), randomUUID()];
    const mineId = await taggedInstance(config, { 'queryshield:job': mine, 'queryshield:party': '0', 'queryshield:deployment': ours });
    const theirsId = await taggedInstance(config, { 'queryshield:job': theirs, 'queryshield:party': '0', 'queryshield:deployment': `${ours}-other` });
    const untaggedId = await taggedInstance(config, { 'queryshield:job': untagged, 'queryshield:party': '1' });
    // another deployment's instance with a malformed job tag is not ours to terminate either
    const foreignMalformed = await taggedInstance(config, { 'queryshield:job': 'not-a-job', 'queryshield:party': '0', 'queryshield:deployment': `${ours}-other` });

    const report = await sweep(config, { jobIds: [mine, theirs, untagged], malformed: true });
    expect(report.vmsRemoved).toBe(1);
    const state = Object.fromEntries((await ec2Instances(config)).map((i) => [i.id, i.state]));
    expect(state[mineId]).toBe('terminated');
    expect(state[theirsId]).toBe('running');
    expect(state[untaggedId]).toBe('running');
    expect(state[foreignMalformed]).toBe('running');
  });
});

describe('the sweep and buckets of other deployments (moto, fake-gcs-server, Azurite)', () => {
  const ours = `t${randomUUID().slice(0, 8)}`;
  const config = testConfig({ QS_DEPLOYMENT_ID: ours });
  const clouds = cloudStorages(config);
  const mineStorage = new JobStorage(clouds, { uploadSeconds: 60, readSeconds: 60 });
  const theirStorage = new JobStorage(cloudStorages(testConfig({ QS_DEPLOYMENT_ID: `${ours}-other` })), { uploadSeconds: 60, readSeconds: 60 });
  const partiesOf = (jobId: string) => jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
  const exists = (p: ReturnType<typeof partiesOf>[number], bucket: string) => clouds[p.provider].bucketExists(bucket);

  // fake-gcs-server drops labels (test/infra/storage/bucket-tags.test.ts checks they are sent), so there
  // another deployment's bucket looks untagged: its jobs' parties are on AWS and Azure only.
  const tagKeeping = (jobId: string) => jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'azure'] });

  it("when a closed job's buckets carry this deployment's id, or none (older buckets), then they go; another deployment's stay", { timeout: 120_000 }, async () => {
    const [mine, theirs, untagged] = [randomUUID(), randomUUID(), randomUUID()];
    await mineStorage.create(partiesOf(mine));
    await theirStorage.create(tagKeeping(theirs));
    // a bucket from before buckets were tagged: no tags at all
    const [bare] = partiesOf(untagged);
    const s3 = new S3Client({ endpoint: config.s3.endpoint, region: config.s3.region, forcePathStyle: true, credentials: { accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bare.inputBucket }));
    try {
      const report = await sweep(config, { jobIds: [mine, theirs, untagged] }, clouds);
      expect(report.bucketsRemoved).toBe(7);
      for (const p of partiesOf(mine)) expect(await exists(p, p.inputBucket), p.inputBucket).toBe(false);
      expect(await exists(bare, bare.inputBucket)).toBe(false);
      for (const p of tagKeeping(theirs)) {
        expect(await exists(p, p.inputBucket), p.inputBucket).toBe(true);
        expect(await exists(p, p.outputBucket), p.outputBucket).toBe(true);
      }
    } finally {
      await theirStorage.delete(tagKeeping(theirs));
    }
  });

  it('when Temporal no longer knows a job whose results were written, then its buckets stay for QS_RESULT_TTL', { timeout: 120_000 }, async () => {
    const jobId = randomUUID();
    const parties = partiesOf(jobId);
    await mineStorage.create(parties);
    try {
      for (const p of parties) {
        const { url, headers } = await mineStorage.resultUploadUrl(p);
        expect((await fetch(url, { method: 'PUT', headers, body: 'total_0\n1\n' })).ok).toBe(true);
      }
      const report = await sweep(config, { jobIds: [jobId] }, clouds, true);
      expect(report).toMatchObject({ bucketsRemoved: 0, resultsKept: 1 });
      for (const p of parties) expect(await exists(p, p.outputBucket)).toBe(true);
      // with no retention left, the same sweep removes them
      const expired = await sweep(testConfig({ QS_DEPLOYMENT_ID: ours, QS_RESULT_TTL: '0' }), { jobIds: [jobId] }, clouds, true);
      expect(expired.bucketsRemoved).toBe(6);
    } finally {
      await mineStorage.delete(parties);
    }
  });
});

describe('the sweep and GCP/Azure listings', () => {
  const dep = 'dep-a';
  const job = '0f8fad5b-d9cb-469f-a165-70867728950e';
  it('when GCP and Azure resources of this deployment are listed, then each names its job and party; others and malformed ones are dropped', () => {
    const found = parseCloudFindings(
      [
        { compute: 'gcp', kind: 'vm', name: `qs-${job}-p1`, job, party: '1', deployment: dep },
        { compute: 'gcp', kind: 'address', name: `qs-${job}-p2`, description: `QueryShield job ${job} party 2 queryshield-deployment=${dep}` },
        { compute: 'gcp', kind: 'network', name: `qs-${job}-engine`, description: `QueryShield job ${job} queryshield-deployment=${dep}: the engine port` },
        { compute: 'azure', kind: 'vm', name: 'renamed', job, party: '0', deployment: dep },
        { compute: 'azure', kind: 'address', name: `qs-${job}-p0`, deployment: dep },
        { compute: 'azure', kind: 'network', name: `qs-${job}`, deployment: dep },
        { compute: 'aws', kind: 'network', name: `qs-${job}`, job, deployment: dep },
        // another deployment's, or a prefix of ours
        { compute: 'gcp', kind: 'address', name: `qs-${job}-p0`, description: `queryshield-deployment=${dep}x` },
        { compute: 'gcp', kind: 'network', name: `qs-${job}-ssh`, description: 'no marker' },
        { compute: 'azure', kind: 'vm', name: 'x', job, party: '0', deployment: 'dep-b' },
        // ours, but nothing well-formed to act on
        { compute: 'azure', kind: 'vm', name: 'x', job: "{{ lookup('pipe', 'id') }}", party: '0', deployment: dep },
        { compute: 'gcp', kind: 'vm', name: 'x', job, party: '{{ 1 }}', deployment: dep },
        { compute: 'azure', kind: 'address', name: `qs-${job}-p0; rm -rf /`, deployment: dep },
        { compute: 'gcp', kind: 'network', name: `qs-${job}-other`, description: `queryshield-deployment=${dep}` },
        { compute: 'local', kind: 'vm', job, party: '0', deployment: dep },
        null,
        'text',
      ],
      dep,
    );
    expect(found).toEqual([
      { jobId: job, party: 1, compute: 'gcp', kind: 'vm' },
      { jobId: job, party: 2, compute: 'gcp', kind: 'address' },
      { jobId: job, party: 0, compute: 'gcp', kind: 'network' },
      { jobId: job, party: 0, compute: 'azure', kind: 'vm' },
      { jobId: job, party: 0, compute: 'azure', kind: 'address' },
      { jobId: job, party: 0, compute: 'azure', kind: 'network' },
      { jobId: job, party: 0, compute: 'aws', kind: 'network' },
    ]);
    expect(parseCloudFindings(undefined, dep)).toEqual([]);
  });

  it("when netns.sh lists leases, then only this deployment's well-formed ones count", () => {
    const text = [`${job} 0 10.213.1.2 ${dep}`, `${job} 1 10.213.1.3 dep-b`, `${job} 2 10.213.1.4`, `x 0 10.213.1.5 ${dep}`, `${job} 3 10.213.1.6 ${dep} extra`].join('\n');
    expect(parseNetnsLeases(text, dep)).toEqual([{ jobId: job, party: 0 }]);
  });
});

describe.runIf(localNetworkMode() === 'namespaces')('the sweep and local party namespaces', () => {
  it("when a closed job's namespaces have no folder left, then the sweep removes this deployment's and leaves another's", { timeout: 120_000 }, async () => {
    const ours = `t${randomUUID().slice(0, 8)}`;
    const config = testConfig({ QS_DEPLOYMENT_ID: ours });
    const [mine, theirs] = [randomUUID(), randomUUID()];
    await run('sh', [NETNS_SCRIPT, 'up', mine, '0', ours]);
    await run('sh', [NETNS_SCRIPT, 'up', mine, '1', ours]);
    await run('sh', [NETNS_SCRIPT, 'up', theirs, '0', `${ours}-other`]);
    try {
      const report = await sweep(config, { jobIds: [mine, theirs] });
      expect(report.hostsRemoved).toBe(2);
      const listed = (await run('sh', [NETNS_SCRIPT, 'list'])).stdout;
      const namespaces = (await run('ip', ['netns', 'list'])).stdout;
      expect(listed).not.toContain(mine);
      expect(namespaces).not.toContain(mine);
      expect(listed).toContain(`${theirs} 0 `);
      expect(namespaces).toContain(`qs-${theirs}-p0`);
    } finally {
      await run('sh', [NETNS_SCRIPT, 'down', theirs, '0']);
      for (const p of ['0', '1']) await run('sh', [NETNS_SCRIPT, 'down', mine, p]);
    }
  });
});

describe('every resource the providers create carries the deployment id', () => {
  const read = (f: string) => readFileSync(path.join(REPO_ROOT, 'ansible', 'providers', f), 'utf8');
  it('when the create and firewall task files are read, then every tagged or labelled resource also carries qs_cloud.deployment_id', () => {
    // AWS: the job's group, key pair and every instance.
    const aws = read('aws/create.yml') + read('aws/firewall.yml');
    expect(aws.match(/"queryshield:job":/g)!.length).toBe(aws.match(/"queryshield:deployment": "\{\{ qs_cloud\.deployment_id \}\}"/g)!.length);
    // GCP: instance labels; addresses and firewall rules (no labels) in their description.
    const gcp = read('gcp/create.yml') + read('gcp/firewall.yml');
    expect(gcp).toContain('queryshield-deployment: "{{ qs_cloud.deployment_id }}"');
    expect(gcp.match(/description: .*queryshield-deployment=\{\{ qs_cloud\.deployment_id \}\}/g)).toHaveLength(3);
    // Azure: every resource's tags.
    const azure = read('azure/create.yml');
    expect(azure).toMatch(/qs_az_job_tags: \{.*queryshield-deployment: "\{\{ qs_cloud\.deployment_id \}\}" \}/);
    expect(azure).toMatch(/qs_az_party_tags: \{.*queryshield-deployment: "\{\{ qs_cloud\.deployment_id \}\}" \}/);
    expect(read('azure/firewall.yml')).toContain('queryshield-deployment: "{{ qs_cloud.deployment_id }}"');
  });
});
