// Requests are checked against the route's TypeBox schema (api/schemas.ts, what /docs publishes) by
// Fastify's validator, compiled here with TypeBox's compiler; its first error is turned into the seed
// contract's answer, in this one place:
//   - a body that is not a JSON object: QS_BODY_NOT_OBJECT;
//   - required fields absent or null: QS_MISSING_FIELDS, "missing necessary fields" with every one of them;
//   - a job_id that is no job id: 404 QS_JOB_NOT_FOUND (nothing that is not a UUID can name a job);
//   - anything else: 400 QS_INVALID_FIELD, the message starting with the field's name (the web app puts
//     it next to that field).
// Bodies are taken as sent; the query string and path parameters, which are text, are converted to the
// schema's types (limit=5) and get its defaults. The first error only: the errors are listed lazily, so a
// huge invalid body costs one check, not one error per element.
import type { FastifyError, FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { PATTERN_MEANINGS } from '../domain/limits.js';
import { qsError, QsError } from './errors.js';

/** Route handlers see the validated request typed by its schema, through Fastify's TypeBox type provider
 *  (@fastify/type-provider-typebox 5, the line for @sinclair/typebox 0.34). Validation itself is this file's
 *  compiler below, for the seed contract's answers. */
export type { TypeBoxTypeProvider as TypeBoxProvider } from '@fastify/type-provider-typebox';

/** Fields whose wrong value means "no such job" rather than "bad request". */
const NAMES_A_JOB = new Set(['job_id']);

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const fromText = httpPart !== 'body';
  return (raw: unknown) => {
    const value = fromText ? Value.Default(schema, Value.Convert(schema, raw)) : raw;
    if (check.Check(value)) return { value };
    return { error: requestError(schema, value, check.Errors(value).First()) };
  };
};

/** The catalogue's answer for a request part that fails its schema (`first` is TypeBox's first error). */
export function requestError(schema: TSchema, value: unknown, first: ValueError | undefined): QsError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return qsError('QS_BODY_NOT_OBJECT');
  const fields = value as Record<string, unknown>;
  const missing = ((schema.required ?? []) as string[]).filter((f) => fields[f] === undefined || fields[f] === null);
  if (missing.length) return qsError('QS_MISSING_FIELDS', [], { missing_fields: missing });
  if (!first) return qsError('QS_INVALID_FIELD', ['the request does not match its schema']);
  const [top, ...rest] = first.path.split('/').slice(1).map(unescapePointer);
  if (NAMES_A_JOB.has(top)) {
    const v = fields[top];
    return qsError('QS_JOB_NOT_FOUND', [], { job_id: typeof v === 'string' ? v.slice(0, 100) : v === undefined ? null : String(v).slice(0, 100) });
  }
  // A key a map may not have is reported at the key's own path: the field is the map.
  const key = first.type === ValueErrorType.ObjectAdditionalProperties ? rest.pop() ?? '' : undefined;
  const field = top + rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  return qsError('QS_INVALID_FIELD', [`${field} ${key === undefined ? problem(first) : badKey(first.schema, key)}`]);
}

/** What is wrong with the value, in words that follow the field's name. */
function problem(e: ValueError): string {
  const s = e.schema as Record<string, any>;
  const options = oneOf(s);
  if (options) return `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${show(e.value)}`;
  if (s.type === 'integer' && s.minimum !== undefined && s.maximum !== undefined) return `must be an integer from ${s.minimum} to ${s.maximum}`;
  switch (e.type) {
    case ValueErrorType.StringMinLength:
    case ValueErrorType.ArrayMinItems:
    case ValueErrorType.ObjectMinProperties:
      return (s.minLength ?? s.minItems ?? s.minProperties) === 1 ? 'must not be empty' : `is too short (${e.message})`;
    case ValueErrorType.StringMaxLength:
      return `is too long (${(e.value as string).length} characters, at most ${s.maxLength})`;
    case ValueErrorType.ArrayMaxItems:
      return `has too many entries (${(e.value as unknown[]).length}, at most ${s.maxItems})`;
    case ValueErrorType.ObjectMaxProperties:
      return `has too many entries (${Object.keys(e.value as object).length}, at most ${s.maxProperties})`;
    case ValueErrorType.StringPattern:
      return PATTERN_MEANINGS[s.pattern]?.why ?? `must match ${s.pattern}, got ${show(e.value)}`;
  }
  const wanted = TYPE_WORDS[String(s.type)];
  return wanted ? `must be ${wanted}, got ${typeName(e.value)}` : `is not valid (${e.message})`;
}

const TYPE_WORDS: Record<string, string> = { string: 'a string', array: 'a list', object: 'an object', integer: 'an integer', number: 'a number', boolean: 'true or false' };

/** A union of constants (an enum): its values. */
function oneOf(s: Record<string, any>): unknown[] | undefined {
  const alternatives = s.anyOf as Record<string, unknown>[] | undefined;
  if (!alternatives?.length || !alternatives.every((a) => 'const' in a)) return undefined;
  return alternatives.map((a) => a.const);
}

/** A key of a map whose keys must match a pattern (a TypeBox Record) that does not, and why. */
function badKey(s: Record<string, any>, key: string): string {
  const [pattern] = Object.keys(s.patternProperties ?? {});
  const meaning = PATTERN_MEANINGS[pattern];
  return meaning ? `${meaning.key ?? 'key'} ${show(key.slice(0, 80))} ${meaning.why}` : `key ${show(key.slice(0, 80))} must match ${pattern}`;
}

function unescapePointer(p: string): string {
  return p.replace(/~1/g, '/').replace(/~0/g, '~');
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

/** Fastify's own errors that are the client's fault, mapped to the catalogue. */
export function fromFastify(err: FastifyError): QsError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return qsError('QS_INVALID_JSON', [err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'/, 'malformed JSON')]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return qsError('QS_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return qsError('QS_BODY_TOO_LARGE');
  }
  if (err instanceof SyntaxError) return qsError('QS_INVALID_JSON', [err.message]);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new QsError('QS_INVALID_FIELD', [err.message]);
  return undefined;
}
