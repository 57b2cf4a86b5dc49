// The three storage clouds: the embedded emulators by default, real endpoints when set.
import path from 'node:path';
import { PROVIDERS, type Provider } from '../../domain/job.js';
import type { RawEnv } from './schema.js';
import { ConfigError, type Config } from './types.js';
import { boolOf, listOf, portOf } from './values.js';

/** Azurite's published development account (not a secret: it is in every Azurite README). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function devPortsOf(e: RawEnv): Config['devPorts'] {
  return {
    moto: portOf('QS_MOTO_PORT', e.QS_MOTO_PORT, 4566),
    gcs: portOf('QS_GCS_PORT', e.QS_GCS_PORT, 4443),
    azurite: portOf('QS_AZURITE_PORT', e.QS_AZURITE_PORT, 10000),
    temporalUi: portOf('TEMPORAL_UI_PORT', e.TEMPORAL_UI_PORT, 8233),
  };
}

type StorageSettings = Pick<Config, 'providers' | 's3' | 'gcs' | 'azure' | 'corsOrigins' | 'embedded'>;

export function storageSettings(e: RawEnv, dataDir: string, devPorts: Config['devPorts']): StorageSettings {
  const s3Endpoint = e.QS_S3_ENDPOINT ?? `http://127.0.0.1:${devPorts.moto}`;
  const gcsEndpoint = e.QS_GCS_ENDPOINT ?? `http://127.0.0.1:${devPorts.gcs}`;
  const account = e.QS_AZURE_ACCOUNT ?? AZURITE_ACCOUNT;
  const azureEndpoint = e.QS_AZURE_ENDPOINT ?? `http://127.0.0.1:${devPorts.azurite}/${account}`;
  const embedded = e.QS_S3_ENDPOINT === undefined && e.QS_GCS_ENDPOINT === undefined && e.QS_AZURE_ENDPOINT === undefined;
  const cors = listOf(e.QS_CORS_ORIGINS ?? (embedded ? '*' : ''));
  if (cors.length === 0) {
    throw new ConfigError('QS_CORS_ORIGINS', 'QS_CORS_ORIGINS must be set (comma-separated origins) when not using the embedded emulators');
  }
  return {
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
      account,
      key: e.QS_AZURE_KEY ?? AZURITE_KEY,
      endpoint: azureEndpoint || `https://${account}.blob.core.windows.net`,
    },
    corsOrigins: cors,
    embedded,
  };
}
