// The syntax tree the parser builds (parser.ts) and the compiler resolves (compile.ts), and the depth
// limit that keeps the compiler's recursive walks off the end of the stack.

import type { SqlPosition } from './errors.js';

export type AggName = 'SUM' | 'COUNT' | 'MIN' | 'MAX' | 'AVG';
export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Ast =
  /** signed: written with a leading - (not a position in GROUP BY / ORDER BY) */
  | { k: 'num'; value: number; signed?: boolean; pos: SqlPosition }
  | { k: 'ident'; name: string; quoted: boolean; table?: string; pos: SqlPosition }
  | { k: 'neg'; arg: Ast; pos: SqlPosition }
  | { k: 'not'; arg: Ast; pos: SqlPosition }
  | { k: 'arith'; op: '+' | '-' | '*'; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'logic'; op: 'AND' | 'OR'; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'cmp'; op: CmpOp; left: Ast; right: Ast; pos: SqlPosition }
  | { k: 'between'; arg: Ast; lo: Ast; hi: Ast; not: boolean; pos: SqlPosition }
  | { k: 'in'; arg: Ast; list: Ast[]; not: boolean; pos: SqlPosition }
  | { k: 'case'; whens: { cond: Ast; then: Ast }[]; else: Ast; pos: SqlPosition }
  | { k: 'agg'; fn: AggName; arg: Ast | null; distinct: boolean; pos: SqlPosition };

export interface SelectItem {
  /** null for `*` */
  expr: Ast | null;
  alias?: string;
  /** `t.*`: the table named */
  starTable?: string;
  /** where the item starts */
  pos: SqlPosition;
}

export interface OrderKey {
  expr: Ast;
  desc: boolean;
  pos: SqlPosition;
}

export interface SelectAst {
  distinct: boolean;
  items: SelectItem[];
  table: string;
  tablePos: SqlPosition;
  where?: Ast;
  groupBy: Ast[];
  having?: Ast;
  havingPos?: SqlPosition;
  orderBy: OrderKey[];
  limit?: number;
}

/** The largest integer constant (the engine computes in signed 32-bit). */
export const INT_MAX = 2147483647;

/** Operator chains (a + a + … + a) make trees as deep as they are long, and the compiler walks trees
 *  recursively: a depth limit keeps hostile input from exhausting the stack. */
export const MAX_AST_DEPTH = 400;

/** The depth of an expression tree, found without recursion. A CASE counts one level per WHEN (it becomes nested
 *  choices); an IN list counts log2 of its length (it becomes a balanced OR). */
export function astDepth(root: Ast): number {
  let max = 0;
  const stack: [Ast, number][] = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    switch (n.k) {
      case 'num':
      case 'ident':
        break;
      case 'neg':
      case 'not':
        stack.push([n.arg, d + 1]);
        break;
      case 'arith':
      case 'logic':
      case 'cmp':
        stack.push([n.left, d + 1], [n.right, d + 1]);
        break;
      case 'between':
        stack.push([n.arg, d + 2], [n.lo, d + 2], [n.hi, d + 2]);
        break;
      case 'in': {
        const extra = Math.ceil(Math.log2(n.list.length + 1)) + 1;
        stack.push([n.arg, d + extra]);
        break;
      }
      case 'case':
        n.whens.forEach((w, i) => stack.push([w.cond, d + i + 1], [w.then, d + i + 1]));
        stack.push([n.else, d + n.whens.length]);
        break;
      case 'agg':
        if (n.arg) stack.push([n.arg, d + 1]);
        break;
    }
  }
  return max;
}
