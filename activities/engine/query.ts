// What the engines can run. The reference engine compiles `SELECT <agg>[, <agg>…] FROM <table>` with
// SUM(column) and COUNT(*) (aliases with AS); TVA runs compiled programs, so for TVA a query must match
// an entry of the configured catalogue. Anything else is refused at create_job.

export const QUERY_ENGINE_NAME = 'reference engine';

export interface QueryOutput {
  name: string;
  op: 'sum' | 'count';
  column?: string;
}
export interface QueryProgram {
  table: string;
  outputs: QueryOutput[];
}

type Compiled = { ok: true; program: QueryProgram } | { ok: false; error: string };

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const AGG = new RegExp(`^(?:(SUM)\\s*\\(\\s*(${IDENT})\\s*\\)|(COUNT)\\s*\\(\\s*\\*\\s*\\))(?:\\s+AS\\s+(${IDENT}))?$`, 'i');
const UNSUPPORTED = 'the reference engine supports only SUM(column) and COUNT(*) over one table';

/** Splits on commas outside parentheses. */
function splitTop(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  parts.push(cur.trim());
  return parts;
}

export function compileQuery(sql: string, schemaColumns: string[]): Compiled {
  const text = sql.trim().replace(/;\s*$/, '').trim();
  if (text.includes(';')) return { ok: false, error: 'must be a single SELECT statement' };
  const m = new RegExp(`^SELECT\\s+([\\s\\S]+?)\\s+FROM\\s+(${IDENT})$`, 'i').exec(text);
  if (!m) {
    if (!/^SELECT\s/i.test(text)) return { ok: false, error: 'must be a single SELECT statement' };
    if (/\b(WHERE|GROUP\s+BY|JOIN|ORDER\s+BY|HAVING|LIMIT|UNION)\b/i.test(text)) return { ok: false, error: UNSUPPORTED };
    return { ok: false, error: `does not parse as SELECT <aggregates> FROM <table>; ${UNSUPPORTED}` };
  }
  const outputs: QueryOutput[] = [];
  for (const item of splitTop(m[1])) {
    const a = AGG.exec(item);
    if (!a) return { ok: false, error: `unsupported select item ${JSON.stringify(item.slice(0, 80))}: ${UNSUPPORTED}` };
    if (a[1]) {
      const column = a[2];
      if (!schemaColumns.includes(column)) {
        return { ok: false, error: `column ${JSON.stringify(column)} is not in the schema (columns: ${schemaColumns.join(', ')})` };
      }
      outputs.push({ name: a[4] ?? `sum_${column}`, op: 'sum', column });
    } else {
      outputs.push({ name: a[4] ?? 'count', op: 'count' });
    }
  }
  const names = outputs.map((o) => o.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) return { ok: false, error: `output name ${JSON.stringify(dup)} is used twice; give each aggregate its own AS alias` };
  return { ok: true, program: { table: m[2], outputs } };
}

/** The program file the reference engine reads: one line per output, `sum <name> <column index>` or
 *  `count <name>`; column indexes refer to the schema order. */
export function programFile(program: QueryProgram, schemaColumns: string[]): string {
  return (
    program.outputs
      .map((o) => (o.op === 'sum' ? `sum ${o.name} ${schemaColumns.indexOf(o.column!)}` : `count ${o.name}`))
      .join('\n') + '\n'
  );
}

const normalise = (sql: string) => sql.trim().replace(/;\s*$/, '').replace(/\s+/g, ' ').toLowerCase();

/** TVA: the query text must match a catalogue entry (whitespace, case and a trailing ';' aside). */
export function lookupCatalogue(sql: string, catalogue: Record<string, string>): { ok: true; program: string } | { ok: false; error: string } {
  const want = normalise(sql);
  for (const [query, program] of Object.entries(catalogue)) if (normalise(query) === want) return { ok: true, program };
  return { ok: false, error: `query not in the TVA catalogue (${Object.keys(catalogue).length} queries configured)` };
}
