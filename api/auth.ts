// Bearer tokens with roles, fail-closed. Tokens are stored as SHA-256 hashes only (file or environment);
// a request's token is hashed and looked up.
//
// Every route declares who may call it in its config: `config: { access: { roles: [...] } }` or
// `config: { access: 'public' }` (what plugins such as the docs page add is declared public by
// registering them inside `declaredPublic`). The app refuses to start with a route that declares
// nothing, and a request that reaches such a route anyway is refused. HEAD routes are Fastify's copies
// of the GET routes and carry the same declaration, so HEAD is authorized as GET.
//
// With no token loaded (none configured, or a tokens file with no entries) the API runs open, which
// it refuses to do on a non-loopback address, whatever the configuration says.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { isLoopbackHost, type Config } from '../infra/config.js';
import { OWNER_ID_PATTERN } from '../domain/limits.js';
import { qsError } from './errors.js';

export type Role = 'analyst' | 'data_owner' | 'admin';
export const ROLES: readonly Role[] = ['analyst', 'data_owner', 'admin'];
export type Access = 'public' | { roles: Role[] };

export interface TokenEntry {
  name: string;
  role: Role;
  /** a data_owner token of the tokens file acts only as this owner (none: it may do nothing) */
  owner?: string;
  /** an owner invitation: valid only for this job, and for the owner the job's workflow recorded with
   *  this hash (checked against the workflow's state by the use case, not here) */
  invitation?: { jobId: string; sha256: string };
}

/** An invitation token: `qsi_<the job id's 32 hex>_<43 base64url characters of randomness>`. */
const INVITATION_PATTERN = /^qsi_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/;

export function newInvitationToken(jobId: string, random: Buffer): string {
  return `qsi_${jobId.replace(/-/g, '')}_${random.toString('base64url')}`;
}

function invitationOf(token: string): TokenEntry | undefined {
  const m = INVITATION_PATTERN.exec(token);
  if (!m) return undefined;
  const hex = m[1];
  const jobId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { name: `invitation-${jobId}`, role: 'data_owner', invitation: { jobId, sha256: hashToken(token) } };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route; a route without it is refused */
    access?: Access;
  }
  interface FastifyRequest {
    principal?: TokenEntry;
  }
  interface FastifyInstance {
    /** every route and what it declared (for tests and operators) */
    routeAccess: { method: string; url: string; access?: Access }[];
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A token's name is who holds it: jobs are recorded as the creating analyst's (and listed by it). */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;

export function loadTokens(config: Config): Map<string, TokenEntry> {
  const tokens = new Map<string, TokenEntry>();
  // Each its own holder: two analysts' tokens in the environment do not share their jobs.
  for (const t of config.auth.tokenHashes) tokens.set(t.sha256, { name: `${t.role}-env-${t.sha256.slice(0, 12)}`, role: t.role });
  if (config.auth.tokensFile) {
    const file = JSON.parse(readFileSync(config.auth.tokensFile, 'utf8')) as { tokens?: { name?: string; role?: string; sha256?: string; owner?: string }[] };
    for (const [i, t] of (file.tokens ?? []).entries()) {
      if (!(ROLES as readonly unknown[]).includes(t.role) || !/^[0-9a-f]{64}$/.test(t.sha256 ?? '')) {
        throw new Error(`QS_API_TOKENS_FILE: tokens[${i}] needs a role (${ROLES.join(', ')}) and a sha256 hex hash`);
      }
      if (t.name !== undefined && !TOKEN_NAME_PATTERN.test(t.name)) {
        throw new Error(`QS_API_TOKENS_FILE: tokens[${i}].name must match ${TOKEN_NAME_PATTERN} (it names the holder's jobs)`);
      }
      if (t.owner !== undefined && (t.role !== 'data_owner' || typeof t.owner !== 'string' || !OWNER_ID_PATTERN.test(t.owner))) {
        throw new Error(`QS_API_TOKENS_FILE: tokens[${i}].owner is for data_owner tokens and must match ${OWNER_ID_PATTERN.source}`);
      }
      tokens.set(t.sha256!, { name: t.name ?? `token-${i}`, role: t.role as Role, ...(t.owner ? { owner: t.owner } : {}) });
    }
  }
  return tokens;
}

/** Returns the request's bearer token (or undefined). */
export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(h.trim());
  return m?.[1];
}

export interface Auth {
  /** true when no token is loaded: every declared route is open (loopback only) */
  open: boolean;
  /** registers what `register` adds (a plugin's routes) as public */
  declaredPublic(register: () => PromiseLike<unknown>): Promise<void>;
}

export function registerAuth(app: FastifyInstance, config: Config): Auth {
  const tokens = loadTokens(config);
  const open = tokens.size === 0;
  if (open && !isLoopbackHost(config.host)) {
    throw new Error(`HOST=${JSON.stringify(config.host)} is not a loopback address and no API token is loaded (an empty tokens file counts as none): the API refuses to run open on a network`);
  }

  let publicScope = 0;
  const undeclared: string[] = [];
  const routes: FastifyInstance['routeAccess'] = [];
  app.decorate('routeAccess', routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    if (!route.config?.access && publicScope > 0) {
      // set on the object Fastify's HEAD copy shares, or a new one (the HEAD copy passes here too)
      if (route.config) route.config.access = 'public';
      else route.config = { access: 'public' } as RouteOptions['config'];
    }
    routes.push({ method, url: route.url, access: route.config?.access });
    if (!route.config?.access) undeclared.push(`${method} ${route.url}`);
  });
  app.addHook('onReady', async () => {
    if (undeclared.length) throw new Error(`routes that do not declare who may call them (config.access): ${undeclared.join('; ')}`);
  });

  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // no route: the not-found answer gives nothing away
    const access = request.routeOptions.config.access;
    if (!access) throw qsError('QS_ROUTE_UNDECLARED');
    if (access === 'public' || open) return;
    const token = bearer(request);
    if (!token) throw qsError('QS_UNAUTHENTICATED');
    const entry = tokens.get(hashToken(token)) ?? invitationOf(token);
    if (!entry) throw qsError('QS_UNAUTHENTICATED');
    if (!access.roles.includes(entry.role)) throw qsError('QS_FORBIDDEN', [entry.role]);
    request.principal = entry;
  });

  return {
    open,
    async declaredPublic(register) {
      publicScope++;
      try {
        await register();
      } finally {
        publicScope--;
      }
    },
  };
}

/** Route declarations used by the route files. */
export const access = {
  public: { access: 'public' as const },
  roles: (...roles: Role[]) => ({ access: { roles } }),
};
