// TypeBox schemas of every route, one per contract: Fastify validates requests against them (errors
// become the seed contract's answers in api/validation.ts) and the OpenAPI document at /docs comes from
// them. Every limit is here, from domain/limits.ts; only what a schema cannot say (a provider this
// deployment has, a query that compiles) is checked in code.
import { Type } from '@sinclair/typebox';
import { JOB_STATUSES, PROVIDERS, SECURITY_LEVELS } from '../domain/job.js';
import { COLUMN_PATTERN, JOB_ID_INPUT_PATTERN, LIMITS, OWNER_ID_PATTERN, PAGE_TOKEN_PATTERN, TEXT_PATTERN } from '../domain/limits.js';
import { OPEN_STATUS } from '../workflows/messages.js';

export const JobId = Type.String({ pattern: JOB_ID_INPUT_PATTERN.source, description: 'the job id create_job returned', examples: ['0b6f2a0e-5d1c-4f7e-9a51-1f2d3c4b5a69'] });
export const OwnerId = Type.String({ pattern: OWNER_ID_PATTERN.source, description: 'a data owner: a letter or digit, then up to 127 of letters, digits, . _ @ -, not ending in .', examples: ['alice@example.org'] });
export const JobIdParams = Type.Object({ job_id: JobId });
export const OwnerParams = Type.Object({ job_id: JobId, data_owner: OwnerId });
export const JobIdBody = Type.Object({ job_id: JobId });
const text = (maxLength: number) => ({ minLength: 1, maxLength, pattern: TEXT_PATTERN.source });

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'what went wrong, naming the field' }),
    code: Type.String({ description: 'stable code from the error catalogue (api/errors.ts)', examples: ['QS_INVALID_FIELD'] }),
    job_id: Type.Optional(Type.String()),
    missing_fields: Type.Optional(Type.Array(Type.String())),
    details: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);

const errors = (codes: Record<number, string>) =>
  Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { ...ErrorBody, description }]));

export const CreateJobBody = Type.Object(
  {
    analysis_name: Type.String({ ...text(LIMITS.analysisName), examples: ['payroll 2026'] }),
    query_sql: Type.String({ ...text(LIMITS.querySql), description: 'one SELECT over the job\'s table in the grammar of domain/sql/README.md (filters, arithmetic, CASE, aggregates, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT); anything else is a 400 naming the construct', examples: ['SELECT SUM(salary) AS total, COUNT(*) AS n FROM payroll', 'SELECT academia, degree, AVG(salary) FROM emp GROUP BY academia, degree'] }),
    security_level: Type.Union(SECURITY_LEVELS.map((l) => Type.Literal(l)), { description: 'semi = 3 parties (replicated 3PC), mal = 4 parties (Fantastic Four)' }),
    cloud_providers: Type.Array(Type.Union(PROVIDERS.map((p) => Type.Literal(p))), { minItems: 1, maxItems: LIMITS.providers, description: 'party i runs on cloud_providers[i % len]; each must be enabled on this server', examples: [['aws', 'gcp', 'azure']] }),
    schema: Type.Record(Type.String({ pattern: COLUMN_PATTERN.source }), Type.String({ maxLength: LIMITS.unit }), {
      minProperties: 1,
      maxProperties: LIMITS.columns,
      additionalProperties: false,
      // OpenAPI 3.0 has no patternProperties: the column pattern is spelled out for /docs.
      description: `column name (${COLUMN_PATTERN.source}) -> unit, in share-file order`,
      examples: [{ age: 'years', salary: 'usd' }],
    }),
  },
  { examples: [{ analysis_name: 'payroll', query_sql: 'SELECT SUM(salary) AS total FROM payroll', security_level: 'semi', cloud_providers: ['aws', 'gcp', 'azure'], schema: { age: 'years', salary: 'usd' } }] },
);

export const createJobSchema = {
  summary: 'Create a job: its storage exists on every party cloud when this answers',
  tags: ['jobs'],
  body: CreateJobBody,
  response: {
    200: Type.Object({ job_id: JobId }),
    ...errors({ 400: 'missing fields, a wrong type or value, invalid JSON, or a query the engine cannot run', 415: 'not JSON', 500: 'Buckets creation error: <provider>: <reason> (nothing is left behind)', 503: 'Temporal or the workers are unavailable' }),
  },
};

export const registerSchema = {
  summary: 'Register a data owner and get one write-only upload URL per party',
  description: 'PUT each share file to its URL with the headers upload_headers lists for that party (Content-Type: text/csv; x-ms-blob-type: BlockBlob on Azure; a header the URL was signed with). Calling again gives fresh URLs.',
  tags: ['jobs'],
  body: Type.Object({ job_id: JobId, data_owner: OwnerId }),
  response: {
    200: Type.Object({
      presigned_urls: Type.Array(Type.String({ format: 'uri' }), { description: 'ordered by party index' }),
      upload_headers: Type.Array(Type.Record(Type.String(), Type.String()), { description: 'per party (same order): the headers its PUT must send' }),
      job_id: JobId,
    }),
    ...errors({ 400: 'missing field or unsafe owner id', 404: 'unknown job', 409: 'the job was already submitted', 503: 'Temporal or the workers are unavailable' }),
  },
};

export const submitSchema = {
  summary: 'Submit a job: validates every upload, then the stages start',
  tags: ['jobs'],
  body: JobIdBody,
  response: {
    200: Type.Object({ status: Type.Literal('success'), job_id: JobId }),
    ...errors({ 400: 'missing job_id', 404: 'Job ID not found', 409: 'Duplicated submission', 500: 'Data validation failed (details say which owner/party/file); the job stays open', 503: 'Temporal or the workers are unavailable' }),
  },
};

const Stage = Type.Object({
  name: Type.String({ description: 'the stage activity (createVMs, setupAuthentication, deployTvaCore, runExperiment, deleteVMs)' }),
  status: Type.String(),
  state: Type.Union(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'].map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  started_at: Type.Optional(Type.String({ format: 'date-time' })),
  ended_at: Type.Optional(Type.String({ format: 'date-time' })),
  progress: Type.Optional(Type.String({ description: 'the Ansible task running now' })),
  error: Type.Optional(Type.String()),
  log_tail: Type.Optional(Type.Array(Type.String())),
  duration_ms: Type.Optional(Type.Integer({ description: 'how long the stage playbook itself ran' })),
});

export const statusSchema = {
  summary: "A job's status, stage by stage; on Success one read URL per party for its result shares",
  tags: ['jobs'],
  querystring: JobIdBody,
  response: {
    200: Type.Object({
      status: Type.Union(JOB_STATUSES.map((s) => Type.Literal(s))),
      job_id: JobId,
      stages: Type.Array(Stage),
      error: Type.Optional(Type.String({ examples: ['Failed. Last status is Running Experiment.'] })),
      result: Type.Optional(Type.Array(Type.String({ format: 'uri' }), { description: 'read URL of each party result blob, ordered by party' })),
    }),
    ...errors({ 400: 'missing job_id', 404: 'unknown job', 409: 'the job exists but was not submitted', 503: 'Temporal is unavailable' }),
  },
};

const Network = Type.Union([Type.Literal('namespaces'), Type.Literal('loopback')], { description: 'how local parties reach each other (QS_COMPUTE=local only)' });
export const healthSchema = {
  summary: 'Liveness: Temporal reachable, and whether a worker polls the task queue',
  tags: ['operations'],
  response: {
    200: Type.Object({ temporal: Type.Literal('ok'), worker: Type.Union([Type.Literal('ok'), Type.Literal('none')]), network: Type.Optional(Network) }),
    503: Type.Object({ temporal: Type.Literal('unreachable'), worker: Type.Literal('unknown'), network: Type.Optional(Network) }),
  },
};

/** GET /jobs: the statuses a job can be listed by (its search attribute's values). */
export const LISTABLE = [...JOB_STATUSES, OPEN_STATUS] as const;
export const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(LISTABLE.map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: LIMITS.page.min, maximum: LIMITS.page.max, default: LIMITS.page.default })),
  page_token: Type.Optional(Type.String({ pattern: PAGE_TOKEN_PATTERN.source, description: 'next_page_token of the previous page' })),
});

// Answers of the operations routes. They also type the handlers (the TypeBox type provider); objects a
// later field may join keep additionalProperties, so the serializer never drops one.
const Open = { additionalProperties: true } as const;
export const JobList = Type.Object({
  jobs: Type.Array(Type.Object({ job_id: Type.String(), status: Type.String({ description: 'the status the job last recorded' }) }, Open)),
  next_page_token: Type.Optional(Type.String({ description: 'pass as page_token for the next page' })),
});
export const JobView = Type.Object({
  job_id: Type.String(),
  analysis_name: Type.String(),
  query_sql: Type.String(),
  security_level: Type.String(),
  cloud_providers: Type.Array(Type.String()),
  party_count: Type.Integer(),
  schema: Type.Record(Type.String(), Type.String()),
  columns: Type.Array(Type.String()),
  status: Type.String(),
}, Open);
export const Deleted = Type.Object({ deleted: Type.Literal(true), job_id: Type.String() });
export const Cancelling = Type.Object({ status: Type.Literal('cancelling'), job_id: Type.String() });
export const OwnerRemoved = Type.Object({ job_id: Type.String(), data_owner: Type.String(), removed: Type.Literal(true) });
