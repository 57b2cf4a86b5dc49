// The one error type of the SQL compiler: a message meant for the analyst (the API answers it as a 400
// naming `query_sql`), the construct that is not supported when that is the reason, and where it is.

export interface SqlPosition {
  line: number;
  column: number;
}

export class SqlError extends Error {
  constructor(
    message: string,
    /** the unsupported construct, e.g. `JOIN`, `subquery`, `/` — set only when that is the reason */
    readonly construct?: string,
    readonly position?: SqlPosition,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

export const at = (p: SqlPosition | undefined) => (p ? ` (at ${p.line}:${p.column})` : '');
