// renderPlanText: the engine's text rendering of a plan (engine/src/plan/README.md): one fact per line, every
// node, aggregate, output and ORDER BY key, the file ending in `end`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/config.js';
import { compileSql, type Plan } from '../../../domain/sql/index.js';
import { renderPlanText } from '../../../domain/sql/plan-text.js';

const examples = path.join(REPO_ROOT, 'domain', 'sql', 'examples');

describe('renderPlanText', () => {
  it('when the credit-score plan is rendered, then every fact is one line, in the order the engine reads them', () => {
    const r = compileSql('SELECT uid FROM credit WHERE year = 2023 GROUP BY uid HAVING MAX(cs) - MIN(cs) > 150', ['uid', 'year', 'cs']);
    if (!r.ok) throw new Error(r.error);
    expect(renderPlanText(r.plan)).toBe(
      [
        'queryshield-plan/1', 'table credit', 'columns uid year cs',
        'row r0 int col year', 'row r1 int const 2023', 'row r2 bit eq r0 r1', 'row r3 int col uid', 'row r4 int col cs',
        'filter r2', 'aggregate 1 2', 'key r3', 'agg max r4', 'agg min r4',
        'group g0 int key 0', 'group g1 int agg 0', 'group g2 int agg 1', 'group g3 int sub g1 g2', 'group g4 int const 150', 'group g5 bit gt g3 g4',
        'having g5', 'output uid g0', 'distinct 0', 'limit -', 'rows input_rows -', 'end', '',
      ].join('\n'),
    );
  });

  it('when ORDER BY, LIMIT, DISTINCT, COUNT(*) and a quoted table name are rendered, then each has its line', () => {
    const r = compileSql('SELECT DISTINCT a, b FROM "my table" WHERE NOT a = -5 ORDER BY a DESC, b LIMIT 3', ['a', 'b']);
    if (!r.ok) throw new Error(r.error);
    const text = renderPlanText(r.plan);
    expect(text).toContain('table my%20table\n');
    expect(text).toContain('row r1 int const -5\n');
    expect(text).toMatch(/\norder r\d+ desc\norder r\d+ asc\nlimit 3\nrows input_rows 3\nend\n$/);
    expect(text).toContain('distinct 1\n');
    const c = compileSql('SELECT COUNT(*) FROM t', ['a']);
    if (!c.ok) throw new Error(c.error);
    expect(renderPlanText(c.plan)).toContain('aggregate 0 1\nagg count -\n');
    expect(renderPlanText(c.plan)).toContain('rows one -\n');
  });

  it('when every golden example is rendered, then the text has one node line per node and one line per output', () => {
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.json'))) {
      const plan = JSON.parse(readFileSync(path.join(examples, f), 'utf8')).plan as Plan;
      const lines = renderPlanText(plan).trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('row ')).length, f).toBe(plan.rowNodes.length);
      expect(lines.filter((l) => l.startsWith('group ')).length, f).toBe(plan.groupNodes.length);
      expect(lines.filter((l) => l.startsWith('output ')).map((l) => l.split(' ')[1]), f).toEqual(plan.outputs.map((o) => o.name));
      expect(lines.every((l) => !/\s{2}|^\s|\s$/.test(l)), f).toBe(true);
      expect(lines.at(-1)).toBe('end');
    }
  });
});
