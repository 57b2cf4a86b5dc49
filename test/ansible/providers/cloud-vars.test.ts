// qs_cloud as activities/compute/cloud-vars.ts renders it: every value the provider task files use comes
// from the configuration, and the VM name is one every cloud accepts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEPLOYMENT_ID, deploymentId } from '../../../activities/compute/deployment.js';
import { loadConfig } from '../../../infra/config.js';
import { cloudVars, ENGINE_PORT, jobResourceName, vmName, zoneRegion } from '../../../activities/compute/cloud-vars.js';

const JOB = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Leaves of an object as [path, value]. */
function leaves(value: unknown, at = ''): [string, unknown][] {
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
  return [[at, value]];
}

describe('cloudVars', () => {
  const configured = loadConfig({
    QS_COMPUTE: 'cloud',
    QS_EC2_ENDPOINT: '',
    QS_S3_ACCESS_KEY_ID: 'AKIA-X',
    QS_S3_SECRET_ACCESS_KEY: 'secret-x',
    QS_AWS_REGION: 'eu-north-1',
    QS_AWS_AMI: 'ami-x',
    QS_AWS_INSTANCE_TYPE: 'it-x',
    QS_AWS_SUBNET_ID: 'subnet-x',
    QS_GCP_PROJECT: 'proj-x',
    QS_GCP_ZONE: 'europe-west1-b',
    QS_GCP_IMAGE: 'img-x',
    QS_GCP_MACHINE_TYPE: 'mt-x',
    QS_GCP_CREDENTIALS_FILE: '/k/gcp.json',
    QS_AZURE_SUBSCRIPTION_ID: 'sub-x',
    QS_AZURE_RESOURCE_GROUP: 'rg-x',
    QS_AZURE_LOCATION: 'loc-x',
    QS_AZURE_IMAGE: 'p:o:s:v',
    QS_AZURE_VM_SIZE: 'size-x',
    QS_AZURE_CREDENTIALS_FILE: '/k/az.json',
    QS_VM_SSH_USER: 'alice',
    QS_DEPLOYMENT_ID: 'dep-x',
    QS_SSH_SOURCE_CIDR: '198.51.100.0/24, 203.0.113.7/32',
  });

  it('when every cloud setting is configured, then qs_cloud carries each of them', () => {
    expect(cloudVars(configured, 'ssh-ed25519 AAAA\n')).toEqual({
      ssh_user: 'alice',
      ssh_public_key: 'ssh-ed25519 AAAA',
      wait_for_ssh: true,
      ssh_source_cidr: ['198.51.100.0/24', '203.0.113.7/32'],
      engine_port: ENGINE_PORT,
      deployment_id: 'dep-x',
      aws: { endpoint: '', region: 'eu-north-1', ami: 'ami-x', instance_type: 'it-x', subnet_id: 'subnet-x', access_key: 'AKIA-X', secret_key: 'secret-x', wait_for_ssh: true },
      gcp: { project: 'proj-x', zone: 'europe-west1-b', region: 'europe-west1', network: 'global/networks/default', image: 'img-x', machine_type: 'mt-x', credentials_file: '/k/gcp.json', wait_for_ssh: true },
      azure: { subscription_id: 'sub-x', resource_group: 'rg-x', location: 'loc-x', image: 'p:o:s:v', vm_size: 'size-x', credentials_file: '/k/az.json', address_space: '10.42.0.0/16', subnet_prefix: '10.42.0.0/24', wait_for_ssh: true },
    });
  });

  it('when rendered, then every value is a string, number or boolean (nothing undefined reaches the YAML)', () => {
    for (const [at, value] of leaves(cloudVars(loadConfig({ QS_COMPUTE: 'cloud' })))) {
      expect(['string', 'number', 'boolean'], at).toContain(typeof value);
    }
  });

  it('when QS_COMPUTE=cloud runs on the embedded default, then AWS is moto and nobody waits for its SSH', () => {
    const v = cloudVars(loadConfig({ QS_COMPUTE: 'cloud', QS_MOTO_PORT: '45123' }));
    expect(v.aws.endpoint).toBe('http://127.0.0.1:45123');
    expect(v.aws.wait_for_ssh).toBe(false);
    expect(v.gcp.wait_for_ssh).toBe(true);
    expect(v.azure.wait_for_ssh).toBe(true);
    expect(v.ssh_public_key).toBe('');
  });

  it('when the EC2 endpoint is a remote URL, then its instances are waited for', () => {
    expect(cloudVars(loadConfig({ QS_EC2_ENDPOINT: 'https://ec2.eu-north-1.amazonaws.com' })).aws.wait_for_ssh).toBe(true);
    expect(cloudVars(loadConfig({ QS_EC2_ENDPOINT: 'http://localhost:4566' })).aws.wait_for_ssh).toBe(false);
  });

  it('when a zone is given, then its region drops the zone letter', () => {
    expect(zoneRegion('us-central1-a')).toBe('us-central1');
    expect(zoneRegion('europe-west4-c')).toBe('europe-west4');
  });
});

describe('vmName', () => {
  it('when a job id and party index are given, then the name is qs-<job id>-p<index>', () => {
    expect(vmName(JOB, 0)).toBe(`qs-${JOB}-p0`);
    expect(vmName(JOB, 3)).toBe(`qs-${JOB}-p3`);
    expect(jobResourceName(JOB)).toBe(`qs-${JOB}`);
  });

  it('when the name is made, then it fits the strictest rule (GCP: RFC 1035, at most 63; Azure Linux: 64)', () => {
    const name = vmName(JOB, 3);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('when the job id would make a name some cloud refuses, then it throws instead of truncating', () => {
    expect(() => vmName('ABC', 0)).toThrow(RangeError);
    expect(() => vmName('x'.repeat(60), 0)).toThrow(RangeError);
    expect(() => vmName(JOB, -1)).toThrow(RangeError);
    expect(() => vmName(JOB, 1.5)).toThrow(RangeError);
  });
});

describe('QS_SSH_SOURCE_CIDR and the deployment id', () => {
  it('when QS_SSH_SOURCE_CIDR is unset, then SSH is open to 0.0.0.0/0; when set, qs_cloud carries each range', () => {
    expect(cloudVars(loadConfig({ QS_COMPUTE: 'cloud', QS_DEPLOYMENT_ID: 'd' })).ssh_source_cidr).toEqual(['0.0.0.0/0']);
    expect(cloudVars(loadConfig({ QS_SSH_SOURCE_CIDR: '10.0.0.0/8', QS_DEPLOYMENT_ID: 'd' })).ssh_source_cidr).toEqual(['10.0.0.0/8']);
  });

  it.each(['10.0.0.1/8', '1.2.3.4', '300.1.1.0/24', '1.2.3.0/33', 'x', '10.0.0.0/8,,', '10.0.0.0/8, {{ x }}', '01.2.3.0/24', ','])(
    'when QS_SSH_SOURCE_CIDR is %j, then the configuration is refused naming it',
    (value) => {
      expect(() => loadConfig({ QS_SSH_SOURCE_CIDR: value })).toThrow(/QS_SSH_SOURCE_CIDR/);
    },
  );

  it('when QS_DEPLOYMENT_ID is not set, then one id is generated and kept in the data dir (stable, distinct per data dir); when set, it is used; a bad one is refused', () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'qs-dep-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'qs-dep-'));
    const idA = cloudVars(loadConfig({ QS_DATA_DIR: a })).deployment_id;
    expect(idA).toMatch(DEPLOYMENT_ID);
    expect(readFileSync(path.join(a, 'deployment-id'), 'utf8').trim()).toBe(idA);
    expect(deploymentId(loadConfig({ QS_DATA_DIR: a }))).toBe(idA);
    expect(deploymentId(loadConfig({ QS_DATA_DIR: b }))).not.toBe(idA);
    expect(deploymentId(loadConfig({ QS_DATA_DIR: a, QS_DEPLOYMENT_ID: 'prod-eu' }))).toBe('prod-eu');
    expect(() => loadConfig({ QS_DEPLOYMENT_ID: 'Prod EU' })).toThrow(/QS_DEPLOYMENT_ID/);
    expect(() => loadConfig({ QS_DEPLOYMENT_ID: '{{ x }}' })).toThrow(/QS_DEPLOYMENT_ID/);
  });
});
