// `qs_cloud`, the extra var the cloud provider task files (ansible/providers/{aws,gcp,azure}) read: every
// id, image, size, region and credential they use comes from here, rendered from the configuration, so
// nothing in the YAML is hard-coded. It holds the AWS keys and names the GCP/Azure key files, so it only
// ever travels in the runner's 0600 vars file, never on a command line or into workflow history.
import type { Config } from '../../infra/config.js';
import { deploymentId } from './deployment.js';

/**
 * The port every party's engine listens on (cloud VMs and local namespaces; local parties on loopback
 * take ports of their own). The firewalls open it only from the job's other parties' addresses (/32).
 */
export const ENGINE_PORT = 7100;

/** The network a job's Azure virtual network uses; private to the job, so every job may reuse it. */
export const AZURE_JOB_NETWORK = { addressSpace: '10.42.0.0/16', subnetPrefix: '10.42.0.0/24' } as const;

/** GCP's network for party instances and firewall rules (the project's auto-mode network). */
export const GCP_NETWORK = 'global/networks/default';

// A type (not an interface) so it stays assignable to the runner's Record<string, unknown> extra vars.
export type CloudVars = {
  ssh_user: string;
  /** the job's public key (may be empty when only AWS/GCP hosts are made without one) */
  ssh_public_key: string;
  /** a global switch: false = never wait for SSH, whatever the provider says */
  wait_for_ssh: boolean;
  /** where SSH may come from: QS_SSH_SOURCE_CIDR (default 0.0.0.0/0: the hosts accept only the
   *  controller's key and their host keys are pinned; narrow it to the workers' egress range) */
  ssh_source_cidr: string[];
  engine_port: number;
  /** this deployment's id, tagged/labelled on every resource (activities/compute/deployment.ts) */
  deployment_id: string;
  aws: {
    /** empty for real AWS; the emulator's URL otherwise */
    endpoint: string;
    region: string;
    ami: string;
    instance_type: string;
    /** empty = the region's default VPC */
    subnet_id: string;
    access_key: string;
    secret_key: string;
    wait_for_ssh: boolean;
  };
  gcp: {
    project: string;
    zone: string;
    /** the zone's region (static addresses are regional) */
    region: string;
    network: string;
    image: string;
    machine_type: string;
    credentials_file: string;
    wait_for_ssh: boolean;
  };
  azure: {
    subscription_id: string;
    resource_group: string;
    location: string;
    /** publisher:offer:sku:version */
    image: string;
    vm_size: string;
    credentials_file: string;
    address_space: string;
    subnet_prefix: string;
    wait_for_ssh: boolean;
  };
};

/** An endpoint on this machine is an emulator (moto): its instances are records, nothing answers SSH. */
function isEmulator(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  const host = new URL(endpoint).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

/** The GCP region of a zone: "europe-west1-b" → "europe-west1". */
export function zoneRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** Renders `qs_cloud` for create_vms.yml / delete_vms.yml / the sweep. Pure: same config, same vars. */
export function cloudVars(config: Config, sshPublicKey = ''): CloudVars {
  const { sshUser, aws, gcp, azure } = config.vms;
  return {
    ssh_user: sshUser,
    ssh_public_key: sshPublicKey.trim(),
    wait_for_ssh: true,
    ssh_source_cidr: [...config.sshSourceCidrs],
    engine_port: ENGINE_PORT,
    deployment_id: deploymentId(config),
    aws: {
      endpoint: aws.endpoint ?? '',
      region: aws.region,
      ami: aws.ami,
      instance_type: aws.instanceType,
      subnet_id: aws.subnetId ?? '',
      access_key: aws.accessKeyId,
      secret_key: aws.secretAccessKey,
      wait_for_ssh: !isEmulator(aws.endpoint),
    },
    gcp: {
      project: gcp.project,
      zone: gcp.zone,
      region: zoneRegion(gcp.zone),
      network: GCP_NETWORK,
      image: gcp.image,
      machine_type: gcp.machineType,
      credentials_file: gcp.credentialsFile ?? '',
      wait_for_ssh: true, // no GCP compute emulator exists: a gcp host is always a real VM
    },
    azure: {
      subscription_id: azure.subscriptionId ?? '',
      resource_group: azure.resourceGroup,
      location: azure.location,
      image: azure.image,
      vm_size: azure.vmSize,
      credentials_file: azure.credentialsFile ?? '',
      address_space: AZURE_JOB_NETWORK.addressSpace,
      subnet_prefix: AZURE_JOB_NETWORK.subnetPrefix,
      wait_for_ssh: true,
    },
  };
}

/**
 * GCP's rule (RFC 1035 label, at most 63 characters) is the strictest of the three clouds (Azure Linux VM
 * names: 64, AWS Name tag: 256), so one name fits all of them.
 */
const VM_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The name of party `index`'s VM: `qs-<job id>-p<index>`, the same on every cloud. The provider task files
 * build the same string from qs_party; the tests check the two agree.
 */
export function vmName(jobId: string, index: number): string {
  const name = `qs-${jobId}-p${index}`;
  if (!Number.isInteger(index) || index < 0 || !VM_NAME.test(name)) {
    throw new RangeError(`job ${JSON.stringify(jobId)} party ${index}: "${name}" is not a valid VM name on every cloud (lower-case letters, digits, '-', at most 63)`);
  }
  return name;
}

/** The name of a job's shared resources (security group, key pair, firewall rules' prefix, Azure network). */
export function jobResourceName(jobId: string): string {
  return `qs-${jobId}`;
}
