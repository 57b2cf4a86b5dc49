// Every variable the project reads, with its format and what it means (the README's table follows it).
// Values stay strings here; infra/config.ts turns them into the typed Config.
import { Type, type Static } from '@sinclair/typebox';
import { PROVIDERS } from '../../domain/job.js';

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

export const ENV_SCHEMA = Type.Object({
  PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'the API bind address' })),
  TEMPORAL_ADDRESS: Type.Optional(Type.String({ pattern: '^[^\\s:]+:[0-9]{1,5}$', description: 'host:port' })),
  TEMPORAL_NAMESPACE: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_TASK_QUEUE: Type.Optional(Type.String({ minLength: 1 })),
  // The standard names of @temporalio/envconfig and the `temporal` CLI; a profile file (TOML) may set the same.
  TEMPORAL_PROFILE: Type.Optional(Type.String({ minLength: 1, description: 'a profile name of the Temporal config file' })),
  TEMPORAL_CONFIG_FILE: Type.Optional(Type.String({ minLength: 1, description: 'path of a Temporal config file (TOML)' })),
  TEMPORAL_API_KEY: Type.Optional(Type.String({ minLength: 1, description: 'a Temporal Cloud API key' })),
  TEMPORAL_TLS: Type.Optional(Bool),
  TEMPORAL_TLS_CLIENT_CERT_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of a client certificate (PEM)' })),
  TEMPORAL_TLS_CLIENT_CERT_DATA: Type.Optional(Type.String({ minLength: 1, description: 'a client certificate (PEM)' })),
  TEMPORAL_TLS_CLIENT_KEY_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of its private key (PEM)' })),
  TEMPORAL_TLS_CLIENT_KEY_DATA: Type.Optional(Type.String({ minLength: 1, description: 'its private key (PEM)' })),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of a server CA (PEM)' })),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: Type.Optional(Type.String({ minLength: 1, description: 'a server CA (PEM)' })),
  TEMPORAL_TLS_SERVER_NAME: Type.Optional(Type.String({ minLength: 1 })),
  // Deprecated (accepted with a line saying which standard name replaces them).
  TEMPORAL_TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'path of a client certificate (PEM)' })),
  TEMPORAL_TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'path of its private key (PEM)' })),
  TEMPORAL_TLS_CA: Type.Optional(Type.String({ minLength: 1, description: 'path of a server CA (PEM)' })),
  TEMPORAL_API_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'path of a Temporal Cloud API key' })),
  QS_SHUTDOWN_GRACE: Type.Optional(Seconds),
  QS_WORKER_METRICS: Type.Optional(Type.Union([Type.String({ pattern: '^[^\\s:]+:[0-9]{1,5}$' }), Type.Literal('')], { description: 'host:port for the worker\'s Prometheus endpoint, or empty' })),
  QS_LOG_LEVEL: Type.Optional(Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { description: 'one of fatal, error, warn, info, debug, trace, silent' })),
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
