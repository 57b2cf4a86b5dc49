// register_data_owner tells clients what each party's PUT must carry (issue 18): upload_headers, per party,
// on the first registration and on a repeat, exactly what the storage signs for; a PUT with just those
// headers lands on each of the three emulators. Through the real API, Temporal and emulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobParties } from '../../../domain/names.js';
import { fakeStages } from '../../helpers/fake-stages.js';
import { createJob } from '../../helpers/jobs.js';
import { startStack, type Stack } from '../../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ activities: fakeStages() });
});
afterAll(async () => stack?.close());

describe('POST /register_data_owner and upload headers', () => {
  it('when an owner registers, then the answer lists per party the headers its PUT must send, the same on a repeat', { timeout: 60_000 }, async () => {
    const jobId = await createJob(stack);
    const parties = jobParties({ jobId, securityLevel: 'semi', cloudProviders: ['aws', 'gcp', 'azure'] });
    const expected = parties.map((p) => stack.storage.uploadHeaders(p));
    expect(expected[2]).toMatchObject({ 'x-ms-blob-type': 'BlockBlob' });
    for (const attempt of ['first', 'repeat']) {
      const reg = await stack.call('POST', '/register_data_owner', { job_id: jobId, data_owner: 'alice' });
      expect(reg.status, attempt).toBe(200);
      expect(reg.body.upload_headers, attempt).toEqual(expected);
      const urls = reg.body.presigned_urls as string[];
      const headers = reg.body.upload_headers as Record<string, string>[];
      for (const [i, url] of urls.entries()) {
        const res = await fetch(url, { method: 'PUT', headers: headers[i], body: `${attempt}\n` });
        expect(res.ok, `${attempt}: party ${i}: ${res.status}`).toBe(true);
      }
    }
  });
});
