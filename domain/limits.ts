// The patterns and limits of what clients send, declared once: the API's schemas carry them (and so
// /docs publishes them), the workflow re-checks an owner id with the same pattern, and the CLI checks
// columns with it before a request leaves. Pure data: the browser and the workflow bundle take it too.

/** An owner id becomes a blob name: this pattern keeps it one safe path segment on every cloud. It may
 *  not end in "." (Azure drops trailing dots, so "alice." would name alice's blob). */
export const OWNER_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._@-]{0,126}[A-Za-z0-9_@-])?$/;

/** A schema column: an identifier of the SQL grammar, at most 63 characters (a share file's header). */
export const COLUMN_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A job id as a client may send it (any case; the API answers and keys jobs in lowercase). */
export const JOB_ID_INPUT_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Free text (a job's name, its SQL): something visible, and no NUL (which C strings and logs cut at). */
export const TEXT_PATTERN = /^(?=[\s\S]*\S)[^\u0000]*$/;

/** A page token of GET /jobs: the base64url of Temporal's own token. */
export const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,4096}$/;

export const LIMITS = {
  analysisName: 200,
  querySql: 10_000,
  /** entries of cloud_providers (parties are at most 4; repeats are allowed) */
  providers: 16,
  columns: 256,
  unit: 64,
  /** GET /jobs page size */
  page: { min: 1, max: 100, default: 20 },
} as const;

/** What a pattern asks for, in words, for the 400 that names a field failing it; `key` names what a
 *  map's key is when the pattern checks keys. Patterns not listed are quoted in the answer. */
export const PATTERN_MEANINGS: Record<string, { why: string; key?: string }> = {
  [TEXT_PATTERN.source]: { why: 'must not be blank or contain NUL characters' },
  [COLUMN_PATTERN.source]: { key: 'column', why: 'is not an identifier (letters, digits, _; not starting with a digit; at most 63)' },
  [PAGE_TOKEN_PATTERN.source]: { why: 'is not a token this API returned' },
  [JOB_ID_INPUT_PATTERN.source]: { why: 'is not a job id' },
};
