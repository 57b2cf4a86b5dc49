// Random tables and random queries within the grammar of domain/sql, each rendered twice: the text our
// compiler gets, and the text SQLite gets. A case is a function of its random source alone: a seed
// (generateCase: mulberry32) or a fast-check generator (caseArbitrary: every draw is fast-check's, so a
// failing case shrinks — fewer rows, smaller values, simpler expressions — and replays by fast-check's seed
// and path).
//
// Two modes:
// - `small`: small values, expressions whose every intermediate value fits in 32 bits (checked with
//   interval bounds; a query that could overflow is drawn again). SQLite gets the same text, except that
//   AVG(e) becomes SUM(e) / COUNT(*) (integer, truncated toward zero: SQLite's AVG is a float) and SUM,
//   MIN, MAX, AVG get COALESCE(…, 0) (our empty-table stand-in for NULL).
// - `wrap`: values over the whole int32 range. SQLite computes in 64 bits, so its text wraps every +, −,
//   ×, unary − and SUM to int32 explicitly: ((x + 2^31) & (2^32 − 1)) − 2^31.

import fc from 'fast-check';

export type Mode = 'small' | 'wrap';

/** mulberry32: a small seeded generator. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof rng>;

/** A uniform 32-bit word: next() and chance(p) must keep their odds (fast-check's bias favours small values). */
const word = () => fc.noBias(fc.integer({ min: 0, max: 2 ** 32 - 1 }));

/** The same interface over fast-check's fc.gen(): each draw is a value fast-check can shrink (int and pick
 *  keep fast-check's bias towards the ends of their range: more edge values than uniform draws give). */
export function genRng(g: fc.GeneratorValue): Rng {
  const next = () => g(word) / 4294967296;
  const int = (lo: number, hi: number) => g(fc.integer, { min: lo, max: hi });
  const pick = <T>(xs: readonly T[]): T => xs[g(fc.nat, { max: xs.length - 1 })];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

type G =
  | { k: 'col'; name: string }
  | { k: 'const'; v: number }
  | { k: 'neg'; a: G }
  | { k: 'bin'; op: '+' | '-' | '*'; a: G; b: G }
  | { k: 'case'; whens: [P, G][]; else: G }
  | { k: 'scase'; subject: G; whens: [number, G][]; else: G }
  | { k: 'agg'; fn: 'SUM' | 'COUNT' | 'MIN' | 'MAX' | 'AVG'; arg: G | null; distinct: boolean }
  /** a GROUP BY key used as a whole (rendered as its expression) */
  | { k: 'key'; g: G }
  /** a SELECT alias used in HAVING or inside an ORDER BY expression (stands for g) */
  | { k: 'alias'; name: string; g: G };
type P =
  | { k: 'cmp'; op: '=' | '<>' | '!=' | '<' | '<=' | '>' | '>='; a: G; b: G }
  | { k: 'and' | 'or'; a: P; b: P }
  | { k: 'not'; a: P }
  | { k: 'between'; x: G; lo: G; hi: G; not: boolean }
  | { k: 'in'; x: G; list: number[]; not: boolean };

type Target = 'ours' | 'sqlite';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

class Renderer {
  constructor(
    private readonly r: Rng,
    private readonly target: Target,
    private readonly mode: Mode,
    /** probability of extra parentheses (ours only, so that SQLite's text stays minimal) */
    private readonly extra: number,
    /** how columns are written in this query: bare, t.col or "col" (drawn once per query, the same for both texts) */
    private readonly colForm: number,
  ) {}
  inSelect = false;
  private wrap(s: string): string {
    return this.target === 'sqlite' && this.mode === 'wrap' ? `((((${s}) + 2147483648) & 4294967295) - 2147483648)` : s;
  }
  private paren(s: string, need: boolean): string {
    return need || (this.target === 'ours' && this.r.chance(this.extra)) ? `(${s})` : s;
  }
  /** precedence of an int expression's rendering: 5 additive, 6 multiplicative, 7 unary, 8 primary */
  private precG(g: G): number {
    if (this.target === 'sqlite' && this.mode === 'wrap' && (g.k === 'bin' || g.k === 'neg')) return 8;
    if (g.k === 'key') return this.precG(g.g);
    if (g.k === 'alias') return 8;
    if (g.k === 'bin') return g.op === '*' ? 6 : 5;
    if (g.k === 'neg') return 7;
    if (g.k === 'const' && g.v < 0) return 7;
    return 8;
  }
  g(g: G): string {
    switch (g.k) {
      case 'key':
        return this.g(g.g);
      case 'alias':
        // in the SELECT list (the appended ORDER BY keys) an alias cannot be named: write what it stands for
        return this.inSelect ? this.paren(this.g(g.g), this.precG(g.g) < 8) : g.name;
      case 'col':
        // sometimes qualified with the table, or quoted (both engines get the same form)
        return this.colForm < 0.08 ? `t.${g.name}` : this.colForm < 0.12 ? `"${g.name}"` : g.name;
      case 'const':
        return String(g.v);
      case 'neg': {
        // a space keeps "- -5" from becoming a "--" comment
        return this.wrap(`- ${this.paren(this.g(g.a), this.precG(g.a) < 7)}`);
      }
      case 'bin': {
        const p = g.op === '*' ? 6 : 5;
        const a = this.paren(this.g(g.a), this.precG(g.a) < p);
        const b = this.paren(this.g(g.b), this.precG(g.b) <= p);
        return this.wrap(`${a} ${g.op} ${b}`);
      }
      case 'case':
        return `CASE ${g.whens.map(([c, t]) => `WHEN ${this.p(c)} THEN ${this.g(t)}`).join(' ')} ELSE ${this.g(g.else)} END`;
      case 'scase':
        return `CASE ${this.g(g.subject)} ${g.whens.map(([c, t]) => `WHEN ${c} THEN ${this.g(t)}`).join(' ')} ELSE ${this.g(g.else)} END`;
      case 'agg': {
        const arg = g.arg === null ? '*' : `${g.distinct ? 'DISTINCT ' : ''}${this.g(g.arg)}`;
        if (this.target === 'ours') return `${g.fn}(${arg})`;
        if (g.fn === 'COUNT') return `COUNT(${arg})`;
        if (g.fn === 'AVG') return `COALESCE(${this.wrap(`SUM(${arg})`)} / COUNT(*), 0)`;
        if (g.fn === 'SUM') return this.wrap(`COALESCE(SUM(${arg}), 0)`);
        return `COALESCE(${g.fn}(${arg}), 0)`;
      }
    }
  }
  /** precedence of a condition: 1 OR, 2 AND, 3 NOT, 4 comparison */
  private precP(p: P): number {
    return p.k === 'or' ? 1 : p.k === 'and' ? 2 : p.k === 'not' ? 3 : 4;
  }
  p(p: P): string {
    switch (p.k) {
      case 'cmp':
        return `${this.paren(this.g(p.a), false)} ${p.op} ${this.paren(this.g(p.b), false)}`;
      case 'and':
      case 'or': {
        const prec = p.k === 'or' ? 1 : 2;
        return `${this.paren(this.p(p.a), this.precP(p.a) < prec)} ${p.k.toUpperCase()} ${this.paren(this.p(p.b), this.precP(p.b) <= prec)}`;
      }
      case 'not':
        return `NOT ${this.paren(this.p(p.a), this.precP(p.a) < 3)}`;
      case 'between':
        return `${this.g(p.x)} ${p.not ? 'NOT ' : ''}BETWEEN ${this.g(p.lo)} AND ${this.g(p.hi)}`;
      case 'in':
        return `${this.g(p.x)} ${p.not ? 'NOT ' : ''}IN (${p.list.join(', ')})`;
    }
  }
}

/** Bound on |value| of an expression over rows with |values| ≤ maxAbs[col] (small mode's overflow guard). */
function bound(g: G, maxAbs: Map<string, number>, rows: number): number {
  switch (g.k) {
    case 'key':
    case 'alias':
      return bound(g.g, maxAbs, rows);
    case 'col':
      return maxAbs.get(g.name)!;
    case 'const':
      return Math.abs(g.v);
    case 'neg':
      return bound(g.a, maxAbs, rows);
    case 'bin':
      return g.op === '*' ? bound(g.a, maxAbs, rows) * bound(g.b, maxAbs, rows) : bound(g.a, maxAbs, rows) + bound(g.b, maxAbs, rows);
    case 'case':
      return Math.max(bound(g.else, maxAbs, rows), ...g.whens.map(([c, t]) => Math.max(boundP(c, maxAbs, rows), bound(t, maxAbs, rows))));
    case 'scase':
      return Math.max(bound(g.subject, maxAbs, rows), bound(g.else, maxAbs, rows), ...g.whens.map(([, t]) => bound(t, maxAbs, rows)));
    case 'agg':
      if (g.arg === null || g.fn === 'COUNT') return Math.max(rows, g.arg ? bound(g.arg, maxAbs, rows) : 0);
      return g.fn === 'SUM' || g.fn === 'AVG' ? bound(g.arg, maxAbs, rows) * Math.max(rows, 1) : bound(g.arg, maxAbs, rows);
  }
}
function boundP(p: P, maxAbs: Map<string, number>, rows: number): number {
  switch (p.k) {
    case 'cmp':
      return Math.max(bound(p.a, maxAbs, rows), bound(p.b, maxAbs, rows));
    case 'and':
    case 'or':
      return Math.max(boundP(p.a, maxAbs, rows), boundP(p.b, maxAbs, rows));
    case 'not':
      return boundP(p.a, maxAbs, rows);
    case 'between':
      return Math.max(bound(p.x, maxAbs, rows), bound(p.lo, maxAbs, rows), bound(p.hi, maxAbs, rows));
    case 'in':
      return bound(p.x, maxAbs, rows);
  }
}

const hasAgg = (g: G): boolean => {
  switch (g.k) {
    case 'agg':
      return true;
    case 'col':
    case 'const':
      return false;
    case 'key':
    case 'alias':
      return hasAgg(g.g);
    case 'neg':
      return hasAgg(g.a);
    case 'bin':
      return hasAgg(g.a) || hasAgg(g.b);
    case 'case':
      return hasAgg(g.else) || g.whens.some(([c, t]) => hasAggP(c) || hasAgg(t));
    case 'scase':
      return hasAgg(g.subject) || hasAgg(g.else) || g.whens.some(([, t]) => hasAgg(t));
  }
};
/** No column, key or aggregate: a constant expression. */
const isConstant = (g: G): boolean => {
  switch (g.k) {
    case 'const':
      return true;
    case 'col':
    case 'key':
    case 'agg':
    case 'alias':
      return false;
    case 'neg':
      return isConstant(g.a);
    case 'bin':
      return isConstant(g.a) && isConstant(g.b);
    default:
      return false;
  }
};
const hasAggP = (p: P): boolean => {
  switch (p.k) {
    case 'cmp':
      return hasAgg(p.a) || hasAgg(p.b);
    case 'and':
    case 'or':
      return hasAggP(p.a) || hasAggP(p.b);
    case 'not':
      return hasAggP(p.a);
    case 'between':
      return hasAgg(p.x) || hasAgg(p.lo) || hasAgg(p.hi);
    case 'in':
      return hasAgg(p.x);
  }
};

export interface Case {
  seed: number;
  mode: Mode;
  schema: string[];
  rows: number[][];
  /** the query as generated (given to our compiler) */
  ours: string;
  /** the same query with the ORDER BY keys appended as trailing outputs __k0 … (to check ties), ours and SQLite's */
  oursKeyed: string;
  sqliteKeyed: string;
  /** SQLite's text without LIMIT (the checker takes the prefix itself: ties at the boundary) */
  sqliteNoLimit: string;
  keyCount: number;
  ordered: boolean;
  limit: number | null;
  /** 'agg': aggregates without GROUP BY (one output row) */
  kind: 'plain' | 'agg' | 'group';
  /** the number of outputs of the query as generated (`*` expanded) */
  outputs: number;
}

interface Item {
  g: G;
  alias?: string;
  /** true: the item is `*` (expanded to every column) */
  star?: boolean;
}

export function generateCase(seed: number, mode: Mode): Case {
  return generateWith(rng(seed), seed, mode);
}

/** Cases drawn by fast-check (their `seed` is NaN: fast-check's own seed and path replay them). */
export const caseArbitrary = (mode: Mode): fc.Arbitrary<Case> => fc.gen().map((g) => generateWith(genRng(g), NaN, mode));

function generateWith(r: Rng, seed: number, mode: Mode): Case {
  for (let attempt = 0; ; attempt++) {
    const c = tryGenerate(r, seed, mode);
    if (c) return c;
    if (attempt > 200) throw new Error(`seed ${seed}: no query within the overflow bound after 200 attempts`);
  }
}

function tryGenerate(r: Rng, seed: number, mode: Mode): Case | undefined {
  const ncols = r.int(1, 5);
  const schema = Array.from({ length: ncols }, (_, i) => (i === 0 && r.chance(0.3) ? 'year' : `c${i}`));
  const nrows = r.chance(0.05) ? 0 : r.int(1, r.chance(0.2) ? 60 : 16);
  // per column: a domain (few distinct values make groups and duplicates)
  const maxAbs = new Map<string, number>();
  const domains = schema.map((c) => {
    let lo: number, hi: number;
    if (mode === 'small') {
      const span = r.pick([1, 2, 3, 5, 20]);
      lo = -span;
      hi = span;
      if (r.chance(0.3)) lo = 0;
    } else {
      const kind = r.pick(['tiny', 'wide', 'full', 'edges']);
      if (kind === 'tiny') [lo, hi] = [-3, 3];
      else if (kind === 'wide') [lo, hi] = [-100000, 100000];
      else [lo, hi] = [INT32_MIN, INT32_MAX];
      if (kind === 'edges') {
        maxAbs.set(c, 2 ** 31);
        return () => r.pick([INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX, r.int(INT32_MIN, INT32_MAX)]);
      }
    }
    maxAbs.set(c, Math.max(Math.abs(lo), Math.abs(hi)));
    return () => r.int(lo, hi);
  });
  const rows = Array.from({ length: nrows }, () => domains.map((d) => d()));

  const constant = () => (mode === 'small' ? r.int(-10, 10) : r.chance(0.7) ? r.int(-10, 10) : r.pick([INT32_MIN, INT32_MAX, r.int(INT32_MIN, INT32_MAX), 65536, -65536]));
  const col = (): G => ({ k: 'col', name: r.pick(schema) });

  // int expressions; `leaf` draws the leaves of the phase
  const expr = (depth: number, leaf: () => G): G => {
    if (depth <= 0 || r.chance(0.35)) return r.chance(0.8) ? leaf() : { k: 'const', v: constant() };
    const x = r.next();
    if (x < 0.55) return { k: 'bin', op: r.pick(['+', '-', '*'] as const), a: expr(depth - 1, leaf), b: expr(depth - 1, leaf) };
    if (x < 0.65) return { k: 'neg', a: expr(depth - 1, leaf) };
    if (x < 0.85) {
      const whens: [P, G][] = Array.from({ length: r.int(1, 3) }, () => [pred(depth - 1, leaf), expr(depth - 1, leaf)]);
      return { k: 'case', whens, else: expr(depth - 1, leaf) };
    }
    if (x < 0.92) {
      const whens: [number, G][] = Array.from({ length: r.int(1, 2) }, () => [constant(), expr(depth - 1, leaf)]);
      return { k: 'scase', subject: expr(depth - 1, leaf), whens, else: expr(depth - 1, leaf) };
    }
    return leaf();
  };
  const pred = (depth: number, leaf: () => G): P => {
    const x = r.next();
    if (depth > 0 && x < 0.25) return { k: r.pick(['and', 'or'] as const), a: pred(depth - 1, leaf), b: pred(depth - 1, leaf) };
    if (depth > 0 && x < 0.32) return { k: 'not', a: pred(depth - 1, leaf) };
    if (x < 0.42) {
      const lo = constant();
      return { k: 'between', x: expr(depth - 1, leaf), lo: { k: 'const', v: lo }, hi: r.chance(0.8) ? { k: 'const', v: Math.min(INT32_MAX, lo + r.int(0, 5)) } : expr(depth - 1, leaf), not: r.chance(0.3) };
    }
    if (x < 0.52) return { k: 'in', x: expr(depth - 1, leaf), list: Array.from({ length: r.int(1, 4) }, constant), not: r.chance(0.3) };
    return { k: 'cmp', op: r.pick(['=', '<>', '!=', '<', '<=', '>', '>='] as const), a: expr(depth - 1, leaf), b: r.chance(0.6) ? { k: 'const', v: constant() } : expr(depth - 1, leaf) };
  };

  // an integer constant in GROUP BY / ORDER BY is a position in SQL (SQLite: even - (-5) is); keys
  // without a column or an aggregate are drawn again from `leaf`
  const notConst = (g: G, leaf: () => G = col): G => (isConstant(g) ? leaf() : g);

  const kind = r.pick(['plain', 'plain', 'agg', 'group', 'group'] as const);
  const items: Item[] = [];
  let aliasNo = 0;
  const alias = () => `a${aliasNo++}`;
  let groupKeys: G[] = [];
  const groupKeyText: (string | number)[] = []; // how GROUP BY names each key: expression, alias or position
  const aggregate = (): G => {
    const fn = r.pick(['SUM', 'COUNT', 'MIN', 'MAX', 'AVG'] as const);
    if (fn === 'COUNT') {
      const x = r.next();
      if (x < 0.4) return { k: 'agg', fn, arg: null, distinct: false };
      return { k: 'agg', fn, arg: x < 0.7 ? col() : expr(1, col), distinct: x >= 0.55 };
    }
    return { k: 'agg', fn, arg: r.chance(0.6) ? col() : expr(2, col), distinct: false };
  };
  let groupLeaf: () => G = col;
  if (kind === 'plain') {
    if (r.chance(0.1)) items.push({ g: { k: 'const', v: 0 }, star: true });
    const n = r.int(items.length ? 0 : 1, 4);
    for (let i = 0; i < n; i++) items.push(r.chance(0.45) ? { g: col() } : { g: expr(2, col) });
  } else {
    if (kind === 'group') {
      const nk = r.int(1, 2);
      groupKeys = Array.from({ length: nk }, () => (r.chance(0.65) ? col() : r.chance(0.5) ? notConst(expr(1, col)) : { k: 'case', whens: Array.from({ length: r.int(1, 4) }, () => [pred(0, col), { k: 'const', v: r.int(0, 4) }] as [P, G]), else: { k: 'const', v: 0 } }));
      // select some keys as outputs (with an alias sometimes, which GROUP BY may then use)
      for (const [i, g] of groupKeys.entries()) {
        if (r.chance(0.75)) {
          const it: Item = { g: { k: 'key', g }, alias: g.k === 'col' && r.chance(0.7) ? undefined : alias() };
          items.push(it);
          groupKeyText[i] = it.alias && r.chance(0.5) ? it.alias : r.chance(0.15) ? items.length : '';
        } else groupKeyText[i] = '';
      }
    }
    groupLeaf = () => (groupKeys.length && r.chance(0.4) ? { k: 'key', g: r.pick(groupKeys) } : aggregate());
    const n = r.int(items.length ? 0 : 1, 3);
    for (let i = 0; i < n; i++) items.push({ g: r.chance(0.6) ? aggregate() : expr(2, groupLeaf) });
    // an aggregate query must show it in SELECT (SQLite refuses HAVING on a query whose SELECT has none)
    if (kind === 'agg' && !items.some((it) => hasAgg(it.g))) items.push({ g: aggregate() });
    if (items.length === 0) items.push({ g: aggregate() });
  }
  // names: a bare column is named after it, an aggregate over a bare column sum_c… ; anything else expr_i.
  // Give aliases where names would collide (and sometimes anyway).
  const names = new Set<string>();
  for (const [i, it] of items.entries()) {
    if (it.star) {
      schema.forEach((c) => names.add(c));
      continue;
    }
    const g = it.g.k === 'key' ? it.g.g : it.g;
    let name = it.alias;
    if (!name) {
      if (g.k === 'col') name = g.name;
      else if (g.k === 'agg' && g.arg === null) name = 'count';
      else if (g.k === 'agg' && g.arg?.k === 'col') name = g.fn === 'COUNT' ? (g.distinct ? `count_distinct_${g.arg.name}` : `count_${g.arg.name}`) : `${g.fn.toLowerCase()}_${g.arg.name}`;
      else name = `expr_${i + 1}`;
      if (names.has(name) || r.chance(0.25)) {
        it.alias = alias();
        name = it.alias;
      }
    }
    names.add(name);
  }
  const expanded: G[] = items.flatMap((it) => (it.star ? schema.map((c): G => ({ k: 'col', name: c })) : [it.g]));
  const distinct = kind !== 'agg' ? r.chance(0.2) : r.chance(0.05);
  const where = r.chance(0.65) ? pred(2, col) : undefined;
  // HAVING and ORDER BY expressions may name a SELECT alias (SQLite resolves those too)
  const aliased = items.filter((it) => it.alias !== undefined && !it.star);
  const aliasLeaf = (leaf: () => G) => (): G => {
    if (aliased.length && r.chance(0.2)) {
      const it = r.pick(aliased);
      return { k: 'alias', name: it.alias!, g: it.g };
    }
    return leaf();
  };
  const having = kind !== 'plain' && r.chance(kind === 'group' ? 0.45 : 0.2) ? pred(1, aliasLeaf(groupLeaf)) : undefined;

  // ORDER BY keys: a position, an alias, or an expression (with DISTINCT: only outputs)
  const order: { text: (t: Renderer) => string; g: G; desc: boolean }[] = [];
  if (r.chance(kind === 'agg' ? 0.2 : 0.55)) {
    const nk = r.int(1, 3);
    for (let i = 0; i < nk; i++) {
      const desc = r.chance(0.5);
      const x = r.next();
      const pos = r.int(0, expanded.length - 1);
      const item = items.find((it) => !it.star && it.g === expanded[pos]);
      // a constant in ORDER BY would be a position: name a constant output by its position
      if (x < 0.3 || isConstant(expanded[pos])) order.push({ text: () => String(pos + 1), g: expanded[pos], desc });
      else if (x < 0.55 && item?.alias) order.push({ text: () => item.alias!, g: item.g, desc });
      else if (distinct || x < 0.7) {
        const g = expanded[pos];
        order.push({ text: (t) => t.g(g), g, desc });
      } else {
        const g = kind === 'plain' ? notConst(expr(2, aliasLeaf(col))) : notConst(expr(1, aliasLeaf(groupLeaf)), groupLeaf);
        order.push({ text: (t) => t.g(g), g, desc });
      }
    }
  }
  const limit = r.chance(order.length ? 0.5 : 0.15) ? r.int(0, nrows + 2) : null;

  // small mode: nothing may leave 32 bits (SQLite would not wrap)
  if (mode === 'small') {
    const all: number[] = [...expanded.map((g) => bound(g, maxAbs, nrows)), ...groupKeys.map((g) => bound(g, maxAbs, nrows)), ...order.map((o) => bound(o.g, maxAbs, nrows))];
    if (where) all.push(boundP(where, maxAbs, nrows));
    if (having) all.push(boundP(having, maxAbs, nrows));
    if (Math.max(...all) > 2 ** 30) return undefined;
  }

  const colForm = r.next();
  const render = (target: Target, keyed: boolean, withLimit: boolean) => {
    const t = new Renderer(r, target, mode, target === 'ours' ? 0.15 : 0, colForm);
    const sel = items.map((it) => (it.star ? '*' : `${t.g(it.g)}${it.alias ? (r.chance(0.85) ? ` AS ${it.alias}` : ` ${it.alias}`) : ''}`));
    t.inSelect = true;
    if (keyed) order.forEach((o, i) => sel.push(`${t.g(o.g)} AS __k${i}`));
    t.inSelect = false;
    let sql = `SELECT ${distinct ? 'DISTINCT ' : ''}${sel.join(', ')} FROM t`;
    if (where) sql += ` WHERE ${t.p(where)}`;
    if (groupKeys.length) sql += ` GROUP BY ${groupKeys.map((g, i) => (groupKeyText[i] !== '' ? String(groupKeyText[i]) : t.g(g))).join(', ')}`;
    if (having) sql += ` HAVING ${t.p(having)}`;
    if (order.length) sql += ` ORDER BY ${order.map((o) => `${o.text(t)}${o.desc ? ' DESC' : r.chance(0.3) ? ' ASC' : ''}`).join(', ')}`;
    if (withLimit && limit !== null) sql += ` LIMIT ${limit}`;
    return sql;
  };
  return {
    seed,
    mode,
    schema,
    rows,
    ours: render('ours', false, true),
    oursKeyed: render('ours', true, true),
    sqliteKeyed: render('sqlite', true, true),
    sqliteNoLimit: render('sqlite', true, false),
    keyCount: order.length,
    ordered: order.length > 0,
    limit,
    kind,
    outputs: expanded.length,
  };
}
