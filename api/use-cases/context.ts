// What every use case works with: the gateway to Temporal, the cloud storage, the configuration, who
// owns which job, and this process's caches. Use cases are functions of this context: free of HTTP,
// they take validated input and throw QsError from the catalogue.
import type { Config } from '../../infra/config.js';
import type { JobStorage } from '../../infra/storage/index.js';
import type { JobRef } from '../../workflows/messages.js';
import type { JobGateway } from '../gateway.js';
import { JobOwnership } from '../ownership.js';
import { SharedAnswers } from '../shared-answers.js';
import { loadStatus, type StatusAnswer } from './status.js';

/** Job layouts (clouds, level) this process has seen; they never change, so they are kept to sign
 *  register's URLs while the workflow records the owner. */
const LAYOUT_CACHE_SIZE = 10_000;

export interface ApiContext {
  gateway: JobGateway;
  storage: JobStorage;
  config: Config;
  ownership: JobOwnership;
  layouts: Layouts;
  /** Work still on its way after an answer left (create_job's storage reports); a graceful stop waits. */
  background: Background;
  /** Status answers shared between callers of one job (see status.ts). */
  statuses: SharedAnswers<StatusAnswer>;
}

export class Layouts {
  private readonly known = new Map<string, JobRef>();

  get(jobId: string): JobRef | undefined {
    return this.known.get(jobId);
  }

  remember(ref: JobRef): void {
    this.known.delete(ref.jobId);
    this.known.set(ref.jobId, { jobId: ref.jobId, cloudProviders: [...ref.cloudProviders], securityLevel: ref.securityLevel });
    if (this.known.size > LAYOUT_CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
  }
}

export class Background {
  private readonly inFlight = new Set<Promise<void>>();

  track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}

/** How long one status answer is shared between callers of the same job; for as long again it is
 *  still served while a fresh one loads, so an answer is at most 2 × this old. */
const STATUS_FRESH_MS = 250;

export function makeContext(gateway: JobGateway, storage: JobStorage, config: Config): ApiContext {
  const ctx: ApiContext = {
    gateway,
    storage,
    config,
    ownership: new JobOwnership(gateway),
    layouts: new Layouts(),
    background: new Background(),
    // A poller, or 64 of them, costs Temporal one describe + one query per job every STATUS_FRESH_MS,
    // and none of them waits for it.
    statuses: new SharedAnswers<StatusAnswer>((jobId) => loadStatus(ctx, jobId), { freshMs: STATUS_FRESH_MS, staleMs: STATUS_FRESH_MS, maxKeys: 10_000 }),
  };
  return ctx;
}
