// TVA runs only the programs of its catalogue: a query must match an entry up to whitespace, keyword case and
// a trailing `;`.
import { describe, expect, it } from 'vitest';
import { lookupCatalogue } from '../../../activities/engine/catalogue.js';
import { MAX_QUERY_LENGTH } from '../../../domain/sql/index.js';

describe('lookupCatalogue', () => {
  const catalogue = {
    "SELECT SUM(salary) FROM payroll WHERE dept = 'R and D'": 'q_rd_total',
    'select count(*) from payroll': 'q_count',
  };

  it('when the query differs only in whitespace, keyword case and a trailing ;, then it finds the program', () => {
    expect(lookupCatalogue("select  sum( salary )\nfrom payroll where dept='R and D';", catalogue)).toEqual({ ok: true, program: 'q_rd_total' });
    expect(lookupCatalogue('SELECT COUNT(*) FROM payroll;', catalogue)).toEqual({ ok: true, program: 'q_count' });
  });

  it('when an identifier or a literal differs, even only in case or inner spaces, then it is not in the catalogue', () => {
    for (const sql of [
      "SELECT SUM(Salary) FROM payroll WHERE dept = 'R and D'",
      "SELECT SUM(salary) FROM payroll WHERE dept = 'r and d'",
      "SELECT SUM(salary) FROM payroll WHERE dept = 'R  and D'",
      'SELECT COUNT(*) FROM Payroll',
      'SELECT COUNT(*) FROM payroll; SELECT 1',
    ]) {
      const found = lookupCatalogue(sql, catalogue);
      expect(found.ok, sql).toBe(false);
      if (!found.ok) expect(found.error).toContain('query not in the TVA catalogue');
    }
  });

  it('when the catalogue is empty, then every query is refused', () => {
    expect(lookupCatalogue('SELECT COUNT(*) FROM payroll', {})).toMatchObject({ ok: false, error: expect.stringContaining('query not in the TVA catalogue') });
  });
});

describe('lookupCatalogue limits', () => {
  it('when the text is longer than the limit, then it is not looked up', () => {
    expect(lookupCatalogue('x'.repeat(MAX_QUERY_LENGTH + 1), { ['x'.repeat(MAX_QUERY_LENGTH + 1)]: 'p' }).ok).toBe(false);
  });
});
