// The worker's workflow bundle entry: every workflow type the task queue serves.
export { jobWorkflow } from './job.js';
export { sweepWorkflow } from './sweep.js';
