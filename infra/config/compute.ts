// Where party hosts come from (local namespaces or cloud VMs, per provider) and the engine they run.
import path from 'node:path';
import type { RawEnv } from './schema.js';
import { ConfigError, type Config } from './types.js';
import { isIpv4Cidr } from './net.js';
import { REPO_ROOT } from './paths.js';

type ComputeSettings = Pick<Config, 'compute' | 'engine' | 'vms' | 'sshSourceCidrs'>;

export function computeSettings(e: RawEnv, devPorts: Config['devPorts']): ComputeSettings {
  const sshSourceCidrs = (e.QS_SSH_SOURCE_CIDR ?? '0.0.0.0/0').split(',').map((c) => c.trim());
  for (const c of sshSourceCidrs) {
    if (!isIpv4Cidr(c)) throw new ConfigError('QS_SSH_SOURCE_CIDR', `QS_SSH_SOURCE_CIDR: ${JSON.stringify(c)} is not an IPv4 CIDR (a.b.c.d/n, host bits zero)`);
  }
  return {
    compute: e.QS_COMPUTE ?? 'local',
    engine: {
      kind: e.QS_ENGINE ?? 'reference',
      source: e.QS_ENGINE_SOURCE ?? path.resolve(REPO_ROOT, 'engine'),
      ref: e.QS_ENGINE_REF,
    },
    vms: vmSettings(e, devPorts),
    sshSourceCidrs,
  };
}

function vmSettings(e: RawEnv, devPorts: Config['devPorts']): Config['vms'] {
  return {
    sshUser: e.QS_VM_SSH_USER ?? 'queryshield',
    aws: {
      endpoint: (e.QS_EC2_ENDPOINT ?? (e.QS_S3_ENDPOINT === undefined ? `http://127.0.0.1:${devPorts.moto}` : '')) || undefined,
      region: e.QS_AWS_REGION ?? e.QS_S3_REGION ?? 'us-east-1',
      ami: e.QS_AWS_AMI ?? 'ami-12c6146b', // moto's default Ubuntu image id; set a real one for AWS
      instanceType: e.QS_AWS_INSTANCE_TYPE ?? 't3.medium',
      subnetId: e.QS_AWS_SUBNET_ID,
      accessKeyId: e.QS_S3_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: e.QS_S3_SECRET_ACCESS_KEY ?? 'test',
    },
    gcp: {
      project: e.QS_GCP_PROJECT ?? e.QS_GCS_PROJECT ?? 'queryshield-local',
      zone: e.QS_GCP_ZONE ?? 'us-central1-a',
      image: e.QS_GCP_IMAGE ?? 'projects/debian-cloud/global/images/family/debian-12',
      machineType: e.QS_GCP_MACHINE_TYPE ?? 'e2-standard-2',
      credentialsFile: e.QS_GCP_CREDENTIALS_FILE,
    },
    azure: {
      subscriptionId: e.QS_AZURE_SUBSCRIPTION_ID,
      resourceGroup: e.QS_AZURE_RESOURCE_GROUP ?? 'queryshield',
      location: e.QS_AZURE_LOCATION ?? 'eastus',
      image: e.QS_AZURE_IMAGE ?? 'Debian:debian-12:12:latest',
      vmSize: e.QS_AZURE_VM_SIZE ?? 'Standard_B2s',
      credentialsFile: e.QS_AZURE_CREDENTIALS_FILE,
    },
  };
}
