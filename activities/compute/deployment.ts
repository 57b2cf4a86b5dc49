// This deployment's id lives in infra/deployment.ts: the API tags the buckets it creates with it too, and
// the API may not import activities/. Kept here so the compute code's imports stay as they were.
export { DEPLOYMENT_ID, deploymentId, deploymentIdFile } from '../../infra/deployment.js';
