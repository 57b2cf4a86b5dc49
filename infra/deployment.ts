// This deployment's id: tagged (AWS, Azure) or labelled (GCP) on every cloud resource it makes, and written
// into its local namespace leases, so the sweep can tell what this deployment made from what another one
// sharing the same cloud account (or machine) made. QS_DEPLOYMENT_ID when set; otherwise an id generated once
// and kept in the data dir (<QS_DATA_DIR>/deployment-id), so the worker and the API of one deployment agree,
// and two deployments on different machines never do even when their data dirs have the same path.
// Set QS_DEPLOYMENT_ID explicitly when the data dir may be lost: a new id disowns the old id's leftovers.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

/** What a deployment id may be: a GCP label value (the strictest of the three clouds' rules) and a word. */
export const DEPLOYMENT_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const cache = new Map<string, string>();

export const deploymentIdFile = (config: Config) => path.join(config.dataDir, 'deployment-id');

/** The id, generating and storing it in the data dir at the first call when it is not configured. */
export function deploymentId(config: Config): string {
  if (config.deploymentId) return config.deploymentId;
  const file = deploymentIdFile(config);
  const known = cache.get(file);
  if (known) return known;
  let id: string | undefined;
  try {
    id = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, `qs${randomBytes(8).toString('hex')}\n`, { flag: 'wx', mode: 0o644 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first: use its id
    }
    id = readFileSync(file, 'utf8').trim();
  }
  if (!DEPLOYMENT_ID.test(id)) throw new Error(`${file} holds ${JSON.stringify(id)}, not a deployment id (${DEPLOYMENT_ID.source}): fix it or set QS_DEPLOYMENT_ID`);
  cache.set(file, id);
  return id;
}
