// The typed configuration every part receives, and the one error a bad variable raises.
import type { ClientConfigTLS } from '@temporalio/envconfig';
import type { Provider } from '../../domain/job.js';

export interface Config {
  port: number;
  host: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** the profile's TLS (standard names, paths or data); undefined: plain unless an API key is set */
    tls?: ClientConfigTLS;
    apiKey?: string;
    /** the deprecated TEMPORAL_API_KEY_FILE, read when connecting */
    apiKeyFile?: string;
    grpcMeta?: Record<string, string>;
  };
  dataDir: string;
  providers: Provider[];
  s3: { endpoint?: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };
  gcs: { endpoint?: string; projectId: string; keyFile: string };
  azure: { account: string; key: string; endpoint: string };
  corsOrigins: string[];
  /** origins a browser may call the API from (QS_API_CORS_ORIGINS); empty: no cross-origin calls */
  apiCorsOrigins: string[];
  uploadUrlTtlSeconds: number;
  readUrlTtlSeconds: number;
  jobTtlSeconds: number;
  compute: 'local' | 'cloud';
  stage: { timeoutSeconds: number; heartbeatTimeoutSeconds: number; retries: number };
  /** the MPC engine the stages deploy: engine/ (or a copy of it from git or an archive) */
  engine: { kind: 'reference'; source: string; ref?: string };
  /** where party hosts come from when QS_COMPUTE=cloud, per provider (nothing hard-coded in YAML) */
  vms: {
    sshUser: string;
    aws: { endpoint?: string; region: string; ami: string; instanceType: string; subnetId?: string; accessKeyId: string; secretAccessKey: string };
    gcp: { project: string; zone: string; image: string; machineType: string; credentialsFile?: string };
    azure: { subscriptionId?: string; resourceGroup: string; location: string; image: string; vmSize: string; credentialsFile?: string };
  };
  statusQueryTimeoutMs: number;
  /** how long a failed stage keeps its resources for an operator's retry/abort signal (0 = tear down at once) */
  failedStageHoldSeconds: number;
  /** data owners (registered or invited) per job */
  maxOwners: number;
  /** the largest share file validation accepts (bytes) */
  maxShareBytes: number;
  /** jobs an analyst (a token) may have running at once */
  maxOpenJobs: number;
  /** result shares are kept this long after a job ends (the sweep removes them) */
  resultTtlSeconds: number;
  /** delete the owners' input shares as soon as a job ends */
  deleteInputsOnEnd: boolean;
  /** how often the sweep schedule runs (0 = no schedule) */
  sweepIntervalSeconds: number;
  /** QS_DEPLOYMENT_ID when set; otherwise the id generated once and kept in the data dir (see deploymentId()) */
  deploymentId?: string;
  /** where SSH to cloud VMs may come from (QS_SSH_SOURCE_CIDR): the controllers' egress ranges */
  sshSourceCidrs: string[];
  auth: { tokensFile?: string; tokenHashes: { role: 'analyst' | 'data_owner' | 'admin'; sha256: string }[] };
  /** requests per minute per token (or per IP without one) */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** log every HTTP request (Fastify's logger, at info) */
  logRequests: boolean;
  /** pino's level for the API and the worker */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  worker: {
    /** how long a stopping worker lets running stages finish before it cancels them */
    shutdownGraceSeconds: number;
    /** host:port of the worker's Prometheus endpoint (the Temporal SDK's metrics); undefined: none */
    metricsAddress?: string;
  };
  /** lines saying which deprecated variable was used and what replaces it (the entry points print them) */
  deprecations: string[];
  devPorts: { moto: number; gcs: number; azurite: number; temporalUi: number };
  /** true when every cloud endpoint is the embedded default's emulator */
  embedded: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
