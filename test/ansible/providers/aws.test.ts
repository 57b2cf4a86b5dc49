// The aws provider files for real: ansible-playbook against the suite's moto EC2, checked with boto3
// independently of the modules under test. Create through a fixture playbook that does exactly what the
// provider contract promises (a localhost loop over the parties), again through the stage's own
// create_vms.yml (it must find the same instances), then teardown through both, twice in all.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../infra/config.js';
import { runPlaybook } from '../../../activities/ansible/runner.js';
import { cloudVars, jobResourceName, vmName } from '../../../activities/compute/cloud-vars.js';
import { commonVars, controllerInventory } from '../../../activities/stages/plan.js';
import type { JobConfig, PartyHost } from '../../../domain/job.js';
import { testConfig } from '../../helpers/env.js';

const run = promisify(execFile);
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
// Any well-formed key will do: moto stores it, nobody logs in (so no host key is recorded either).
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHxjGLmt2bR3bFwUo1Pk8R2n3YtYkM2c3R0r1SmTqL3y qs-test';

interface Ec2State {
  instances: { id: string; state: string; tags: Record<string, string>; keyName?: string; groups: string[] }[];
  groups: { id: string; rules: { from?: number; to?: number; cidrs: string[]; groups: string[] }[] }[];
  keys: string[];
}

/** What moto holds for one job, read with the venv's boto3. */
async function ec2State(endpoint: string, region: string, jobId: string): Promise<Ec2State> {
  const script = `
import boto3, json, sys
endpoint, region, job = sys.argv[1:4]
ec2 = boto3.client('ec2', endpoint_url=endpoint, region_name=region, aws_access_key_id='test', aws_secret_access_key='test')
instances = [
    {'id': i['InstanceId'], 'state': i['State']['Name'], 'tags': {t['Key']: t['Value'] for t in i.get('Tags', [])},
     'keyName': i.get('KeyName'), 'groups': [g['GroupName'] for g in i.get('SecurityGroups', [])]}
    for r in ec2.describe_instances(Filters=[{'Name': 'tag:queryshield:job', 'Values': [job]}])['Reservations'] for i in r['Instances']]
groups = [
    {'id': g['GroupId'], 'rules': [{'from': p.get('FromPort'), 'to': p.get('ToPort'), 'cidrs': [x['CidrIp'] for x in p.get('IpRanges', [])],
                                    'groups': [x['GroupId'] for x in p.get('UserIdGroupPairs', [])]} for p in g['IpPermissions']]}
    for g in ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['qs-' + job]}])['SecurityGroups']]
keys = [k['KeyName'] for k in ec2.describe_key_pairs()['KeyPairs'] if k['KeyName'] == 'qs-' + job]
print(json.dumps({'instances': instances, 'groups': groups, 'keys': keys}))
`;
  const { stdout } = await run(path.join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, endpoint, region, jobId]);
  return JSON.parse(stdout) as Ec2State;
}

describe('the aws provider against moto EC2', () => {
  const config = testConfig({ QS_COMPUTE: 'cloud' });
  const qsCloud = cloudVars(config, PUBLIC_KEY);
  const job: JobConfig = {
    jobId: randomUUID(),
    analysisName: 'aws provider',
    querySql: 'SELECT COUNT(*) FROM t',
    securityLevel: 'semi',
    cloudProviders: ['aws'],
    schema: { a: 'u' },
    createdAt: new Date().toISOString(),
  };
  const alive = (s: Ec2State) => s.instances.filter((i) => i.state === 'pending' || i.state === 'running');

  async function play(playbook: string): Promise<PartyHost[]> {
    const res = await runPlaybook({ playbook, inventory: controllerInventory(), extraVars: { ...commonVars(config, job), qs_cloud: qsCloud } });
    expect(res.ok, res.logTail.join('\n')).toBe(true);
    return (res.reported.hosts ?? []) as PartyHost[];
  }

  it('when create runs twice, then one tagged instance per party; when delete runs twice, then nothing of the job is left', { timeout: 600_000 }, async () => {
    expect(qsCloud.aws.endpoint).toBe(config.vms.aws.endpoint);
    expect(qsCloud.aws.wait_for_ssh).toBe(false); // moto's instances are records: nothing answers SSH

    const first = await play(path.join(FIXTURES, 'create.yml'));
    expect(first.map((h) => [h.index, h.name, h.compute])).toEqual([[0, 'party0', 'aws'], [1, 'party1', 'aws'], [2, 'party2', 'aws']]);
    expect(first.every((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h.address) && h.workdir === `/home/${config.vms.sshUser}/queryshield/${job.jobId}`)).toBe(true);

    const made = await ec2State(qsCloud.aws.endpoint, qsCloud.aws.region, job.jobId);
    expect(alive(made)).toHaveLength(3);
    expect(alive(made).map((i) => [i.tags.Name, i.tags['queryshield:party']]).sort()).toEqual([0, 1, 2].map((i) => [vmName(job.jobId, i), String(i)]));
    expect(alive(made).every((i) => i.keyName === jobResourceName(job.jobId) && i.groups.join() === jobResourceName(job.jobId))).toBe(true);
    expect(made.keys).toEqual([jobResourceName(job.jobId)]);
    expect(made.groups).toHaveLength(1);
    const [group] = made.groups;
    // SSH only from the controller's range; the engine port only from the job's parties, one /32 each; nothing else.
    const cidrs = first.map((h) => `${h.address}/32`).sort();
    expect(group.rules.map((r) => ({ ...r, cidrs: [...r.cidrs].sort() })).sort((a, b) => (a.from ?? 0) - (b.from ?? 0))).toEqual([
      { from: 22, to: 22, cidrs: qsCloud.ssh_source_cidr, groups: [] },
      { from: qsCloud.engine_port, to: qsCloud.engine_port, cidrs, groups: [] },
    ]);
    expect(new Set(cidrs).size).toBe(3);

    // A retried stage: the stage's own playbook must find the same three instances, not launch more.
    const again = await play('create_vms.yml');
    expect(again).toEqual(first);
    const afterRetry = await ec2State(qsCloud.aws.endpoint, qsCloud.aws.region, job.jobId);
    expect(alive(afterRetry).map((i) => i.id).sort()).toEqual(alive(made).map((i) => i.id).sort());
    expect(afterRetry.instances).toHaveLength(3);
    expect(afterRetry.groups[0].rules.find((r) => r.from === qsCloud.engine_port)?.cidrs.sort()).toEqual(cidrs);

    await play(path.join(FIXTURES, 'delete.yml'));
    const deleted = await ec2State(qsCloud.aws.endpoint, qsCloud.aws.region, job.jobId);
    expect(deleted.instances.map((i) => i.state)).toEqual(['terminated', 'terminated', 'terminated']);
    expect(deleted.groups).toEqual([]);
    expect(deleted.keys).toEqual([]);

    // Teardown runs again after a failure or a retry: nothing left is fine.
    await play('delete_vms.yml');
    const still = await ec2State(qsCloud.aws.endpoint, qsCloud.aws.region, job.jobId);
    expect(still.instances.every((i) => i.state === 'terminated')).toBe(true);
  });
});
