// The one place that reads process.env. Every variable is validated against one TypeBox schema at
// start-up; anything unset takes the embedded default (local Temporal dev server and the three emulators).
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDERS, type Provider } from '../domain/job.js';

/** The repository root (this file is infra/config.ts, or dist/infra/config.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

const Port = Type.String({ pattern: '^[0-9]{1,5}$', description: 'a TCP port (1-65535)' });
/** The longest presigned URL lifetime: S3's and GCS's limit (7 days), applied to Azure too. */
export const MAX_URL_TTL_SECONDS = 7 * 24 * 3600;
const Seconds = Type.String({ pattern: '^[0-9]{1,9}$', description: 'a whole number of seconds' });
const Count = Type.String({ pattern: '^[0-9]{1,6}$', description: 'a whole number' });
const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')], {
  description: 'true or false',
});
const Url = Type.String({ pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' });
const ProviderList = Type.String({
  pattern: `^(${PROVIDERS.join('|')})(,(${PROVIDERS.join('|')}))*$`,
  description: `a comma-separated list of ${PROVIDERS.join(', ')}`,
});

/** Every variable the project reads, with its default and what it means (the README's table comes from here). */
export const ENV_SCHEMA = Type.Object({
  PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'the API bind address' })),
  TEMPORAL_ADDRESS: Type.Optional(Type.String({ pattern: '^[^\\s:]+:[0-9]{1,5}$', description: 'host:port' })),
  TEMPORAL_NAMESPACE: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_TASK_QUEUE: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'path of a client certificate (PEM)' })),
  TEMPORAL_TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'path of its private key (PEM)' })),
  TEMPORAL_TLS_CA: Type.Optional(Type.String({ minLength: 1, description: 'path of a server CA (PEM)' })),
  TEMPORAL_TLS_SERVER_NAME: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_API_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'path of a Temporal Cloud API key' })),
  QS_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  QS_PROVIDERS: Type.Optional(ProviderList),
  QS_S3_ENDPOINT: Type.Optional(Type.Union([Url, Type.Literal('')])),
  QS_S3_REGION: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
  QS_S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  QS_S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  QS_S3_FORCE_PATH_STYLE: Type.Optional(Bool),
  QS_GCS_ENDPOINT: Type.Optional(Type.Union([Url, Type.Literal('')])),
  QS_GCS_PROJECT: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'service-account key JSON' })),
  QS_AZURE_ACCOUNT: Type.Optional(Type.String({ pattern: '^[a-z0-9]{3,24}$' })),
  QS_AZURE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_ENDPOINT: Type.Optional(Type.Union([Url, Type.Literal('')])),
  QS_CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated origins, or *' })),
  QS_API_CORS_ORIGINS: Type.Optional(Type.String({ description: 'origins a browser may call the API from (comma-separated, or *); empty: none' })),
  QS_UPLOAD_URL_TTL: Type.Optional(Seconds),
  QS_READ_URL_TTL: Type.Optional(Seconds),
  QS_JOB_TTL: Type.Optional(Seconds),
  QS_COMPUTE: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('cloud')])),
  QS_STAGE_TIMEOUT: Type.Optional(Seconds),
  QS_STAGE_HEARTBEAT_TIMEOUT: Type.Optional(Seconds),
  QS_STAGE_RETRIES: Type.Optional(Count),
  QS_STATUS_QUERY_TIMEOUT_MS: Type.Optional(Count),
  QS_FAILED_STAGE_HOLD: Type.Optional(Seconds),
  QS_MAX_SHARE_BYTES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,12}$', description: 'the largest share file validation accepts (bytes)' })),
  QS_MAX_OPEN_JOBS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'jobs an analyst may have running at once' })),
  QS_MAX_OWNERS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'data owners (registered or invited) per job' })),
  QS_LOG_REQUESTS: Type.Optional(Bool),
  QS_RESULT_TTL: Type.Optional(Seconds),
  QS_API_TOKENS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'path of a JSON file {"tokens":[{"name","role","sha256"}]}' })),
  QS_API_TOKEN_HASHES: Type.Optional(Type.String({ pattern: '^(analyst|data_owner|admin):[0-9a-f]{64}(,(analyst|data_owner|admin):[0-9a-f]{64})*$', description: 'a comma-separated list of role:sha256hex' })),
  QS_RATE_LIMIT: Type.Optional(Count),
  QS_BODY_LIMIT: Type.Optional(Count),
  QS_DELETE_INPUTS_ON_END: Type.Optional(Bool),
  QS_SWEEP_INTERVAL: Type.Optional(Seconds),
  QS_DEPLOYMENT_ID: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'this deployment\'s id (lower-case letters, digits, - and _, at most 40): tagged on every cloud resource it makes; the sweep removes only what carries it' })),
  QS_SSH_SOURCE_CIDR: Type.Optional(Type.String({ minLength: 1, description: 'a comma-separated list of IPv4 CIDRs (a.b.c.d/n) SSH to cloud VMs may come from: the controllers\' egress range' })),
  QS_EC2_ENDPOINT: Type.Optional(Type.Union([Url, Type.Literal('')])),
  QS_AWS_REGION: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
  QS_AWS_AMI: Type.Optional(Type.String({ minLength: 1 })),
  QS_AWS_INSTANCE_TYPE: Type.Optional(Type.String({ minLength: 1 })),
  QS_AWS_SUBNET_ID: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCP_PROJECT: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCP_ZONE: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCP_IMAGE: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCP_MACHINE_TYPE: Type.Optional(Type.String({ minLength: 1 })),
  QS_GCP_CREDENTIALS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_SUBSCRIPTION_ID: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_RESOURCE_GROUP: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_LOCATION: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_IMAGE: Type.Optional(Type.String({ minLength: 1, description: 'publisher:offer:sku:version' })),
  QS_AZURE_VM_SIZE: Type.Optional(Type.String({ minLength: 1 })),
  QS_AZURE_CREDENTIALS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'JSON with client_id, secret, tenant' })),
  QS_VM_SSH_USER: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_-]{0,31}$' })),
  // TVA is retired (it could not read uploaded shares and ran only a catalogue of precompiled programs):
  // `tva` now stops the start-up with a line naming this variable.
  QS_ENGINE: Type.Optional(Type.Literal('reference', { description: 'the engine in engine/ (the only one)' })),
  QS_ENGINE_SOURCE: Type.Optional(Type.String({ minLength: 1, description: 'a git URL, a local folder or an archive' })),
  QS_ENGINE_REF: Type.Optional(Type.String({ minLength: 1 })),
  QS_MOTO_PORT: Type.Optional(Port),
  QS_GCS_PORT: Type.Optional(Port),
  QS_AZURITE_PORT: Type.Optional(Port),
  TEMPORAL_UI_PORT: Type.Optional(Port),
});
export type RawEnv = Static<typeof ENV_SCHEMA>;

/** Azurite's published development account (not a secret: it is in every Azurite README). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Config {
  port: number;
  host: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    apiKeyFile?: string;
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
  /** log every HTTP request (Fastify's logger) */
  logRequests: boolean;
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

function portOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(name, `${name}=${JSON.stringify(value)}: must be a TCP port (1-65535)`);
  return n;
}

function boolOf(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ENV_SCHEMA.properties)) {
    const v = env[key];
    if (v !== undefined) raw[key] = v;
  }
  const first = Value.Errors(ENV_SCHEMA, raw).First();
  if (first) {
    const name = first.path.replace(/^\//, '');
    const schema = (ENV_SCHEMA.properties as Record<string, { description?: string }>)[name];
    const want = schema?.description ?? first.message;
    throw new ConfigError(name, `${name}=${JSON.stringify(raw[name])}: must be ${want}`);
  }
  const e = raw as RawEnv;
  const dataDir = path.resolve(e.QS_DATA_DIR ?? '.data');
  const devPorts = {
    moto: portOf('QS_MOTO_PORT', e.QS_MOTO_PORT, 4566),
    gcs: portOf('QS_GCS_PORT', e.QS_GCS_PORT, 4443),
    azurite: portOf('QS_AZURITE_PORT', e.QS_AZURITE_PORT, 10000),
    temporalUi: portOf('TEMPORAL_UI_PORT', e.TEMPORAL_UI_PORT, 8233),
  };
  const s3Endpoint = e.QS_S3_ENDPOINT ?? `http://127.0.0.1:${devPorts.moto}`;
  const gcsEndpoint = e.QS_GCS_ENDPOINT ?? `http://127.0.0.1:${devPorts.gcs}`;
  const azureEndpoint = e.QS_AZURE_ENDPOINT ?? `http://127.0.0.1:${devPorts.azurite}/${e.QS_AZURE_ACCOUNT ?? AZURITE_ACCOUNT}`;
  const embedded = e.QS_S3_ENDPOINT === undefined && e.QS_GCS_ENDPOINT === undefined && e.QS_AZURE_ENDPOINT === undefined;
  const tls =
    e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_KEY
      ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY, caPath: e.TEMPORAL_TLS_CA, serverName: e.TEMPORAL_TLS_SERVER_NAME }
      : undefined;
  if (tls && Boolean(tls.certPath) !== Boolean(tls.keyPath)) {
    throw new ConfigError('TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  }
  const cors = (e.QS_CORS_ORIGINS ?? (embedded ? '*' : '')).split(',').map((s) => s.trim()).filter(Boolean);
  if (cors.length === 0) {
    throw new ConfigError('QS_CORS_ORIGINS', 'QS_CORS_ORIGINS must be set (comma-separated origins) when not using the embedded emulators');
  }
  // The API's own: the buckets' CORS (above) lets a browser PUT share files; this lets a web page call
  // the API with an analyst's token, so nothing is allowed unless the operator says so.
  const apiCors = (e.QS_API_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of apiCors) {
    if (o !== '*' && !/^https?:\/\/[^/\s,]+$/.test(o)) throw new ConfigError('QS_API_CORS_ORIGINS', `QS_API_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port]) or *`);
  }
  // S3 and GCS refuse to sign past 7 days (create_job would answer 500 at the first register), and
  // Azure signs for years: one cap, the same on every cloud.
  for (const name of ['QS_UPLOAD_URL_TTL', 'QS_READ_URL_TTL'] as const) {
    const v = e[name];
    if (v !== undefined && (Number(v) < 1 || Number(v) > MAX_URL_TTL_SECONDS)) throw new ConfigError(name, `${name} must be from 1 to ${MAX_URL_TTL_SECONDS} seconds (7 days, what S3 and GCS sign at most)`);
  }
  const sshSourceCidrs = (e.QS_SSH_SOURCE_CIDR ?? '0.0.0.0/0').split(',').map((c) => c.trim());
  for (const c of sshSourceCidrs) {
    if (!isIpv4Cidr(c)) throw new ConfigError('QS_SSH_SOURCE_CIDR', `QS_SSH_SOURCE_CIDR: ${JSON.stringify(c)} is not an IPv4 CIDR (a.b.c.d/n, host bits zero)`);
  }
  const host = e.HOST ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (!loopback && !e.QS_API_TOKENS_FILE && !e.QS_API_TOKEN_HASHES) {
    throw new ConfigError('HOST', `HOST=${JSON.stringify(host)} is not a loopback address: set QS_API_TOKENS_FILE or QS_API_TOKEN_HASHES (the API refuses to run open on a network)`);
  }
  return {
    port: portOf('PORT', e.PORT, 5000),
    host,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: e.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE ?? 'queryshield',
      tls,
      apiKeyFile: e.TEMPORAL_API_KEY_FILE,
    },
    dataDir,
    providers: (e.QS_PROVIDERS ?? PROVIDERS.join(',')).split(',') as Provider[],
    s3: {
      endpoint: s3Endpoint || undefined,
      region: e.QS_S3_REGION ?? 'us-east-1',
      accessKeyId: e.QS_S3_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: e.QS_S3_SECRET_ACCESS_KEY ?? 'test',
      forcePathStyle: boolOf(e.QS_S3_FORCE_PATH_STYLE, e.QS_S3_ENDPOINT === undefined),
    },
    gcs: {
      endpoint: gcsEndpoint || undefined,
      projectId: e.QS_GCS_PROJECT ?? 'queryshield-local',
      keyFile: path.resolve(e.QS_GCS_KEY_FILE ?? path.join(dataDir, 'gcs-key.json')),
    },
    azure: {
      account: e.QS_AZURE_ACCOUNT ?? AZURITE_ACCOUNT,
      key: e.QS_AZURE_KEY ?? AZURITE_KEY,
      endpoint: azureEndpoint || `https://${e.QS_AZURE_ACCOUNT ?? AZURITE_ACCOUNT}.blob.core.windows.net`,
    },
    corsOrigins: cors,
    apiCorsOrigins: apiCors,
    uploadUrlTtlSeconds: Number(e.QS_UPLOAD_URL_TTL ?? 3600),
    readUrlTtlSeconds: Number(e.QS_READ_URL_TTL ?? 3600),
    jobTtlSeconds: Number(e.QS_JOB_TTL ?? 7 * 24 * 3600),
    compute: e.QS_COMPUTE ?? 'local',
    stage: {
      timeoutSeconds: Number(e.QS_STAGE_TIMEOUT ?? 1800),
      heartbeatTimeoutSeconds: Number(e.QS_STAGE_HEARTBEAT_TIMEOUT ?? 60),
      retries: Number(e.QS_STAGE_RETRIES ?? 3),
    },
    engine: {
      kind: e.QS_ENGINE ?? 'reference',
      source: e.QS_ENGINE_SOURCE ?? path.resolve(REPO_ROOT, 'engine'),
      ref: e.QS_ENGINE_REF,
    },
    vms: {
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
    },
    statusQueryTimeoutMs: Number(e.QS_STATUS_QUERY_TIMEOUT_MS ?? 2000),
    failedStageHoldSeconds: Number(e.QS_FAILED_STAGE_HOLD ?? 0),
    maxOwners: Number(e.QS_MAX_OWNERS ?? 1000),
    maxShareBytes: Number(e.QS_MAX_SHARE_BYTES ?? 1024 ** 3),
    maxOpenJobs: Number(e.QS_MAX_OPEN_JOBS ?? 100),
    logRequests: boolOf(e.QS_LOG_REQUESTS, false),
    resultTtlSeconds: Number(e.QS_RESULT_TTL ?? 7 * 24 * 3600),
    auth: {
      tokensFile: e.QS_API_TOKENS_FILE ? path.resolve(e.QS_API_TOKENS_FILE) : undefined,
      tokenHashes: (e.QS_API_TOKEN_HASHES ?? '').split(',').filter(Boolean).map((pair) => {
        const [role, sha256] = pair.split(':');
        return { role: role as 'analyst' | 'data_owner' | 'admin', sha256 };
      }),
    },
    rateLimitPerMinute: Number(e.QS_RATE_LIMIT ?? 1200),
    bodyLimitBytes: Number(e.QS_BODY_LIMIT ?? 256 * 1024),
    deleteInputsOnEnd: boolOf(e.QS_DELETE_INPUTS_ON_END, true),
    sweepIntervalSeconds: Number(e.QS_SWEEP_INTERVAL ?? 3600),
    deploymentId: e.QS_DEPLOYMENT_ID,
    sshSourceCidrs,
    devPorts,
    embedded,
  };
}

/** For entry points: load the config or print one line naming the variable and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** A bind address only this machine reaches (the API may run open, without tokens, only there). */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host);
}

/** a.b.c.d/n with every octet 0-255, n 0-32 and no bits set past the prefix (what every cloud's rule accepts). */
export function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o, i) => o > 255 || String(o) !== m[i + 1]) || len > 32) return false;
  const n = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((n & ~mask) >>> 0) === 0;
}
