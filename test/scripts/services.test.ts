import { describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { testConfig } from '../helpers/env.js';

describe('the embedded default services', () => {
  it('when the suite starts, then the dev server has the QueryShieldStatus search attribute', async () => {
    const cfg = testConfig();
    const conn = await Connection.connect({ address: cfg.temporal.address });
    const res = await conn.operatorService.listSearchAttributes({ namespace: cfg.temporal.namespace });
    expect(Object.keys(res.customAttributes ?? {})).toContain('QueryShieldStatus');
    await conn.close();
  });
});
