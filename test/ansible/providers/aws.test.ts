// AWS compute against moto's EC2 endpoint with the real playbooks: instances tagged with the job exist
// after create (one per party, also when create runs twice) and are terminated by teardown.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { runPlaybook } from '../../../activities/ansible/runner.js';
import { cloudVars, commonVars, controllerInventory } from '../../../activities/stages/plan.js';
import type { JobConfig } from '../../../workflows/types.js';
import { testConfig } from '../../helpers/env.js';
import { ec2Instances } from '../../helpers/moto-ec2.js';

const config = testConfig({ QS_COMPUTE: 'cloud' });

function job(): JobConfig {
  return { jobId: randomUUID(), analysisName: 't', querySql: 'SELECT COUNT(*) FROM t', securityLevel: 'semi', cloudProviders: ['aws'], schema: { a: 'u' }, createdAt: new Date().toISOString() };
}

async function play(playbook: string, j: JobConfig) {
  const res = await runPlaybook({ playbook, inventory: controllerInventory(), extraVars: { ...commonVars(config, j), qs_cloud: cloudVars(config, '') } });
  expect(res.ok, res.logTail.join('\n')).toBe(true);
  return res;
}

describe('the aws provider against moto EC2', () => {
  it('when create runs twice, then one tagged instance per party; after teardown, all terminated', { timeout: 300_000 }, async () => {
    const j = job();
    const first = await play('create_vms.yml', j);
    const hosts = first.reported.hosts as { index: number; compute: string; address: string }[];
    expect(hosts.map((h) => [h.index, h.compute])).toEqual([[0, 'aws'], [1, 'aws'], [2, 'aws']]);
    await play('create_vms.yml', j);
    const running = (await ec2Instances(config, j.jobId)).filter((i) => i.state === 'running' || i.state === 'pending');
    expect(running).toHaveLength(3);
    expect(running.map((i) => i.tags['queryshield:party']).sort()).toEqual(['0', '1', '2']);
    expect(running.every((i) => i.tags.Name === `qs-${j.jobId}-p${i.tags['queryshield:party']}`)).toBe(true);

    await play('delete_vms.yml', j);
    await play('delete_vms.yml', j);
    const left = (await ec2Instances(config, j.jobId)).filter((i) => i.state !== 'terminated');
    expect(left).toEqual([]);
  });
});
