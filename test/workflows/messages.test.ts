// The job's end-of-job words, written by the workflow and rebuilt by the API for a job closed from outside:
// one rule, so the two never drift.
import { describe, expect, it } from 'vitest';
import { OPEN_STATUS, lastStatusError } from '../../workflows/messages.js';

describe('lastStatusError', () => {
  it('when a job failed or was cancelled, then the error names how and the last status it showed', () => {
    expect(lastStatusError('failed', 'Deploying TVA Core')).toBe('Failed. Last status is Deploying TVA Core.');
    expect(lastStatusError('cancelled', 'Running Experiment')).toBe('Cancelled. Last status is Running Experiment.');
  });

  it('when a job closed before it was submitted, then its last status is the open one', () => {
    expect(lastStatusError('failed', OPEN_STATUS)).toBe('Failed. Last status is Created.');
  });
});
