// The clauses of a SELECT, resolved: its items (with their output names), GROUP BY keys and ORDER BY keys.
// Each says what a position, an alias or a name stands for in its clause.

import { SqlError, at, type SqlPosition } from './errors.js';
import type { Ast, SelectAst } from './ast.js';
import { hasAggregate, type Expr } from './expr.js';
import type { Resolver } from './resolve.js';

/** The same limit the API puts on schema column names, so every output name fits a share header. */
export const MAX_NAME = 63;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VALID_COLUMN = '_valid';

export interface OutputItem {
  expr: Expr;
  name: string;
  pos: SqlPosition;
  alias?: string;
}

export type Aliases = Map<string, { expr: Expr; index: number }>;

/** An ORDER BY key: an output (by position or alias) or an expression. */
export interface OrderExpr {
  expr?: Expr;
  output?: number;
  desc: boolean;
  pos: SqlPosition;
}

/** The SELECT items (`*` is every schema column, in schema order), with checked output names. */
export function selectItems(ast: SelectAst, schema: string[], r: Resolver): OutputItem[] {
  const items: OutputItem[] = [];
  for (const [index, item] of ast.items.entries()) {
    if (item.expr === null) {
      if (item.starTable !== undefined && item.starTable.toLowerCase() !== ast.table.toLowerCase()) {
        throw new SqlError(`unknown table ${JSON.stringify(item.starTable)} in ${item.starTable}.*${at(item.pos)}; the query reads ${ast.table}`, undefined, item.pos);
      }
      if (schema.length === 0) throw new SqlError(`SELECT *: the schema has no columns${at(item.pos)}`, undefined, item.pos);
      for (const c of schema) items.push({ expr: { k: 'col', name: c }, name: c, pos: item.pos });
      continue;
    }
    const expr = r.int(item.expr, { clause: 'SELECT' }, `the SELECT item ${index + 1}`);
    items.push({ expr, name: outputName(item.expr, item.alias, index, expr), pos: item.pos, alias: item.alias });
  }
  checkOutputNames(items);
  return items;
}

function checkOutputNames(items: OutputItem[]): void {
  const seen = new Set<string>();
  for (const it of items) {
    if (it.name.toLowerCase() === VALID_COLUMN) {
      throw new SqlError(`the output name ${VALID_COLUMN} is reserved for the validity column${at(it.pos)}; choose another alias`, undefined, it.pos);
    }
    if (!IDENT.test(it.name) || it.name.length > MAX_NAME) {
      throw new SqlError(`the output name ${JSON.stringify(it.name)} must be letters, digits and _ (not starting with a digit), at most ${MAX_NAME} characters${at(it.pos)}; give it an AS alias`, undefined, it.pos);
    }
    if (seen.has(it.name)) {
      throw new SqlError(`the output name ${JSON.stringify(it.name)} is used twice${at(it.pos)}; give each output its own AS alias`, undefined, it.pos);
    }
    seen.add(it.name);
  }
}

function outputName(ast: Ast | null, alias: string | undefined, index: number, resolved: Expr): string {
  if (alias !== undefined) return alias;
  if (ast?.k === 'ident' && resolved.k === 'col') return resolved.name;
  if (ast?.k === 'agg' && resolved.k === 'agg') {
    if (ast.arg === null) return 'count';
    if (ast.arg.k === 'ident' && resolved.arg?.k === 'col') {
      const c = resolved.arg.name;
      if (ast.fn === 'COUNT') return ast.distinct ? `count_distinct_${c}` : `count_${c}`;
      return `${ast.fn.toLowerCase()}_${c}`;
    }
  }
  return `expr_${index + 1}`;
}

/** The SELECT aliases later clauses may name (by lower-case name; the first of equal names wins). */
export function selectAliases(items: OutputItem[]): Aliases {
  const aliases: Aliases = new Map();
  for (const [index, it] of items.entries()) {
    if (it.alias !== undefined && !aliases.has(it.alias.toLowerCase())) aliases.set(it.alias.toLowerCase(), { expr: it.expr, index });
  }
  return aliases;
}

/** GROUP BY: columns, expressions, select aliases (a schema column wins over an alias), or positions. */
export function groupKeys(ast: SelectAst, items: OutputItem[], aliases: Aliases, r: Resolver): Expr[] {
  return ast.groupBy.map((g) => {
    if (g.k !== 'num') return r.int(g, { clause: 'GROUP BY', aliases }, 'GROUP BY');
    const it = items[g.value - 1];
    if (!it) throw new SqlError(`GROUP BY ${g.value}: there is no SELECT item ${g.value}${at(g.pos)}`, undefined, g.pos);
    if (hasAggregate(it.expr)) throw new SqlError(`GROUP BY ${g.value}: SELECT item ${g.value} is an aggregate${at(g.pos)}`, undefined, g.pos);
    return it.expr;
  });
}

/** ORDER BY: a position or an output alias name the output; anything else is an expression. */
export function orderKeys(ast: SelectAst, items: OutputItem[], aliases: Aliases, r: Resolver): OrderExpr[] {
  return ast.orderBy.map((o): OrderExpr => {
    if (o.expr.k === 'num') {
      if (o.expr.value < 1 || o.expr.value > items.length) {
        throw new SqlError(`ORDER BY ${o.expr.value}: there is no SELECT item ${o.expr.value} (there are ${items.length})${at(o.pos)}`, undefined, o.pos);
      }
      return { output: o.expr.value - 1, desc: o.desc, pos: o.pos };
    }
    if (o.expr.k === 'ident' && o.expr.table === undefined) {
      const alias = aliases.get(o.expr.name.toLowerCase());
      if (alias) return { output: alias.index, desc: o.desc, pos: o.pos };
    }
    return { expr: r.int(o.expr, { clause: 'ORDER BY', aliases }, 'an ORDER BY key'), desc: o.desc, pos: o.pos };
  });
}
