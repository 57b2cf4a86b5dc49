// Turns untrusted request bodies into typed inputs, or a QsError naming the field and why. Written by
// hand rather than left to the JSON-schema validator so that every message matches the seed contract
// ("missing necessary fields" with the full list, then one field at a time).
import { OWNER_ID_PATTERN, PROVIDERS, SECURITY_LEVELS, type Provider, type SecurityLevel } from '../domain/job.js';
import { qsError } from './errors.js';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const COLUMN_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const LIMITS = { analysisName: 200, querySql: 10_000, columns: 256, unit: 64 };

export interface CreateJobInput {
  analysisName: string;
  querySql: string;
  securityLevel: SecurityLevel;
  cloudProviders: Provider[];
  schema: Record<string, string>;
}

type Body = Record<string, unknown>;

/** The body must be a JSON object; anything else is refused before looking at fields. */
export function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw qsError('QS_BODY_NOT_OBJECT');
  return body as Body;
}

function requireFields(body: Body, fields: string[]): void {
  const missing = fields.filter((f) => body[f] === undefined || body[f] === null);
  if (missing.length) throw qsError('QS_MISSING_FIELDS', [], { missing_fields: missing });
}

const invalid = (why: string) => qsError('QS_INVALID_FIELD', [why]);

function nonEmptyString(body: Body, field: string, max: number): string {
  const v = body[field];
  if (typeof v !== 'string') throw invalid(`${field} must be a string, got ${typeName(v)}`);
  if (v.trim() === '') throw invalid(`${field} must not be empty`);
  if (v.length > max) throw invalid(`${field} is too long (${v.length} characters, at most ${max})`);
  if (v.includes('\u0000')) throw invalid(`${field} must not contain NUL characters`);
  return v;
}

export function parseCreateJob(raw: unknown, enabled: readonly Provider[]): CreateJobInput {
  const body = asObject(raw);
  requireFields(body, ['analysis_name', 'query_sql', 'security_level', 'cloud_providers', 'schema']);
  const analysisName = nonEmptyString(body, 'analysis_name', LIMITS.analysisName);
  const querySql = nonEmptyString(body, 'query_sql', LIMITS.querySql);

  const level = body.security_level;
  if (typeof level !== 'string' || !(SECURITY_LEVELS as readonly string[]).includes(level)) {
    throw invalid(`security_level must be one of ${SECURITY_LEVELS.map((l) => `"${l}"`).join(', ')}, got ${show(level)}`);
  }

  const providers = body.cloud_providers;
  if (!Array.isArray(providers)) throw invalid(`cloud_providers must be a list, got ${typeName(providers)}`);
  if (providers.length === 0) throw invalid('cloud_providers must not be empty');
  if (providers.length > 16) throw invalid('cloud_providers has too many entries (at most 16)');
  providers.forEach((p, i) => {
    if (typeof p !== 'string' || !(PROVIDERS as readonly string[]).includes(p)) {
      throw invalid(`cloud_providers[${i}] must be one of ${PROVIDERS.map((x) => `"${x}"`).join(', ')}, got ${show(p)}`);
    }
    if (!enabled.includes(p as Provider)) throw invalid(`cloud_providers[${i}]: "${p}" is not enabled on this server (enabled: ${enabled.join(', ')})`);
  });

  const schema = body.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw invalid(`schema must be an object of column name -> unit, got ${typeName(schema)}`);
  const entries = Object.entries(schema as Record<string, unknown>);
  if (entries.length === 0) throw invalid('schema must have at least one column');
  if (entries.length > LIMITS.columns) throw invalid(`schema has too many columns (${entries.length}, at most ${LIMITS.columns})`);
  for (const [name, unit] of entries) {
    if (!COLUMN_PATTERN.test(name)) throw invalid(`schema column ${show(name.slice(0, 80))} is not an identifier (letters, digits, _; not starting with a digit; at most 63)`);
    if (typeof unit !== 'string') throw invalid(`schema.${name} must be a unit string, got ${typeName(unit)}`);
    if (unit.length > LIMITS.unit) throw invalid(`schema.${name} unit is too long (at most ${LIMITS.unit})`);
  }
  return {
    analysisName,
    querySql,
    securityLevel: level as SecurityLevel,
    cloudProviders: providers as Provider[],
    schema: Object.fromEntries(entries) as Record<string, string>,
  };
}

/** job_id: missing is a 400; anything that is not a UUID cannot name a job, so it is a 404. */
export function parseJobId(raw: unknown, where: 'body' | 'query' = 'body'): string {
  const body = where === 'query' ? ((raw ?? {}) as Body) : asObject(raw);
  requireFields(body, ['job_id']);
  return jobIdOrNotFound(body.job_id);
}

export function jobIdOrNotFound(v: unknown): string {
  if (typeof v !== 'string' || !UUID_PATTERN.test(v)) {
    throw qsError('QS_JOB_NOT_FOUND', [], { job_id: typeof v === 'string' ? v.slice(0, 100) : v === undefined ? null : String(v).slice(0, 100) });
  }
  return v.toLowerCase();
}

export function parseRegister(raw: unknown): { jobId: string; owner: string } {
  const body = asObject(raw);
  requireFields(body, ['job_id', 'data_owner']);
  const owner = body.data_owner;
  if (typeof owner !== 'string' || !OWNER_ID_PATTERN.test(owner)) {
    throw invalid(`data_owner must match ${OWNER_ID_PATTERN.source}, got ${show(owner)}`);
  }
  return { jobId: jobIdOrNotFound(body.job_id), owner };
}

/** A data owner id (the invite body's `data_owner`, or the owner in a path). */
export function parseOwnerId(owner: unknown): string {
  if (owner === undefined || owner === null) throw qsError('QS_MISSING_FIELDS', [], { missing_fields: ['data_owner'] });
  if (typeof owner !== 'string' || !OWNER_ID_PATTERN.test(owner)) throw invalid(`data_owner must match ${OWNER_ID_PATTERN.source}, got ${show(owner)}`);
  return owner;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return typeName(v);
}
