// Connection options for a local dev server or a remote cluster (mTLS or API key), shared by the
// API's client and the worker's native connection. The settings are envconfig's (infra/config/temporal.ts);
// certificate files are read here, when connecting, not when the configuration is checked.
import { readFileSync } from 'node:fs';
import { toClientOptions } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config.js';

export interface ConnectionSettings {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string | Buffer>;
}

export function connectionSettings(config: Config): ConnectionSettings {
  const t = config.temporal;
  const apiKey = t.apiKey ?? (t.apiKeyFile ? readFileSync(t.apiKeyFile, 'utf8').trim() : undefined);
  const { connectionOptions: o } = toClientOptions({ address: t.address, namespace: t.namespace, apiKey, tls: t.tls, grpcMeta: t.grpcMeta });
  return {
    address: t.address,
    ...(o.tls !== undefined && o.tls !== null ? { tls: asBuffers(o.tls) } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

/** envconfig reads files as Uint8Array; the connections' TLS options are typed (and checked natively) as Buffers. */
function asBuffers(tls: TLSConfig | boolean): TLSConfig | boolean {
  if (typeof tls === 'boolean') return tls;
  const buf = (b: Uint8Array | undefined) => (b ? Buffer.from(b) : undefined);
  const pair = tls.clientCertPair;
  return {
    serverNameOverride: tls.serverNameOverride,
    serverRootCACertificate: buf(tls.serverRootCACertificate),
    clientCertPair: pair ? { crt: Buffer.from(pair.crt), key: Buffer.from(pair.key) } : undefined,
  };
}
