// Connection options for a local dev server or a remote cluster (mTLS or API key), shared by the
// API's client and the worker's native connection.
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';

export interface ConnectionSettings {
  address: string;
  tls?: { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } } | boolean;
  apiKey?: string;
}

export function connectionSettings(config: Config): ConnectionSettings {
  const t = config.temporal;
  const apiKey = t.apiKeyFile ? readFileSync(t.apiKeyFile, 'utf8').trim() : undefined;
  if (!t.tls) return { address: t.address, ...(apiKey ? { tls: true, apiKey } : {}) };
  return {
    address: t.address,
    apiKey,
    tls: {
      serverNameOverride: t.tls.serverName,
      serverRootCACertificate: t.tls.caPath ? readFileSync(t.tls.caPath) : undefined,
      clientCertPair: t.tls.certPath && t.tls.keyPath ? { crt: readFileSync(t.tls.certPath), key: readFileSync(t.tls.keyPath) } : undefined,
    },
  };
}
