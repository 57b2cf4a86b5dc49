// Bearer tokens with roles. Tokens are stored as SHA-256 hashes only (file or environment); a request's
// token is hashed and looked up. Every route but /healthz and the docs needs one; with no token
// configured the API runs open, which the configuration allows only on a loopback address.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../activities/config.js';
import { qsError } from './errors.js';

export type Role = 'analyst' | 'data_owner';

interface TokenEntry {
  name: string;
  role: Role;
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function loadTokens(config: Config): Map<string, TokenEntry> {
  const tokens = new Map<string, TokenEntry>();
  for (const t of config.auth.tokenHashes) tokens.set(t.sha256, { name: `${t.role}-env`, role: t.role });
  if (config.auth.tokensFile) {
    const file = JSON.parse(readFileSync(config.auth.tokensFile, 'utf8')) as { tokens?: { name?: string; role?: string; sha256?: string }[] };
    for (const [i, t] of (file.tokens ?? []).entries()) {
      if ((t.role !== 'analyst' && t.role !== 'data_owner') || !/^[0-9a-f]{64}$/.test(t.sha256 ?? '')) {
        throw new Error(`QS_API_TOKENS_FILE: tokens[${i}] needs role "analyst" or "data_owner" and a sha256 hex hash`);
      }
      tokens.set(t.sha256!, { name: t.name ?? `token-${i}`, role: t.role });
    }
  }
  return tokens;
}

/** Which roles may call a route (by its URL pattern); routes not listed are public. */
const ROUTE_ROLES: Record<string, Role[]> = {
  'POST /create_job': ['analyst'],
  'POST /submit_job': ['analyst'],
  'GET /get_status': ['analyst'],
  'POST /register_data_owner': ['data_owner', 'analyst'],
  'GET /jobs': ['analyst'],
  'GET /jobs/:job_id': ['analyst', 'data_owner'],
  'DELETE /jobs/:job_id': ['analyst'],
  'POST /cancel_job': ['analyst'],
};

function rolesFor(request: FastifyRequest): Role[] | undefined {
  const url = (request.routeOptions.url ?? '').replace(/-/g, '_');
  return ROUTE_ROLES[`${request.method} ${url}`];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenEntry;
  }
}

/** Returns the token's identity for rate limiting (or undefined). */
export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(h.trim());
  return m?.[1];
}

export function registerAuth(app: FastifyInstance, config: Config): { open: boolean } {
  const tokens = loadTokens(config);
  if (tokens.size === 0) return { open: true };
  app.addHook('onRequest', async (request) => {
    const roles = rolesFor(request);
    if (!roles) return;
    const token = bearer(request);
    if (!token) throw qsError('QS_UNAUTHENTICATED');
    const entry = tokens.get(hashToken(token));
    if (!entry) throw qsError('QS_UNAUTHENTICATED');
    if (!roles.includes(entry.role)) throw qsError('QS_FORBIDDEN', [entry.role]);
    request.principal = entry;
  });
  return { open: false };
}
