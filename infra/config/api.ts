// The API's own settings: where it listens, who may call it, how much, and what it logs.
import path from 'node:path';
import type { RawEnv } from './schema.js';
import { ConfigError, type Config } from './types.js';
import { isLoopbackHost } from './net.js';
import { boolOf, listOf, portOf } from './values.js';

type ApiSettings = Pick<Config, 'port' | 'host' | 'apiCorsOrigins' | 'auth' | 'rateLimitPerMinute' | 'bodyLimitBytes' | 'logRequests' | 'logLevel'>;

export function apiSettings(e: RawEnv): ApiSettings {
  // The buckets' CORS (QS_CORS_ORIGINS) lets a browser PUT share files; this lets a web page call the
  // API with an analyst's token, so nothing is allowed unless the operator says so.
  const apiCors = listOf(e.QS_API_CORS_ORIGINS ?? '');
  for (const o of apiCors) {
    if (o !== '*' && !/^https?:\/\/[^/\s,]+$/.test(o)) throw new ConfigError('QS_API_CORS_ORIGINS', `QS_API_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port]) or *`);
  }
  const host = e.HOST ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !e.QS_API_TOKENS_FILE && !e.QS_API_TOKEN_HASHES) {
    throw new ConfigError('HOST', `HOST=${JSON.stringify(host)} is not a loopback address: set QS_API_TOKENS_FILE or QS_API_TOKEN_HASHES (the API refuses to run open on a network)`);
  }
  return {
    port: portOf('PORT', e.PORT, 5000),
    host,
    apiCorsOrigins: apiCors,
    auth: {
      tokensFile: e.QS_API_TOKENS_FILE ? path.resolve(e.QS_API_TOKENS_FILE) : undefined,
      tokenHashes: (e.QS_API_TOKEN_HASHES ?? '').split(',').filter(Boolean).map((pair) => {
        const [role, sha256] = pair.split(':');
        return { role: role as 'analyst' | 'data_owner' | 'admin', sha256 };
      }),
    },
    rateLimitPerMinute: Number(e.QS_RATE_LIMIT ?? 1200),
    bodyLimitBytes: Number(e.QS_BODY_LIMIT ?? 256 * 1024),
    // Access logs at info are what an operator expects by default; QS_LOG_REQUESTS=false turns them off.
    logRequests: boolOf(e.QS_LOG_REQUESTS, true),
    logLevel: e.QS_LOG_LEVEL ?? 'info',
  };
}
