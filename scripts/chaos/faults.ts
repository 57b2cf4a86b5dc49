// The fault runs of `npm run chaos`: real jobs (real Ansible, the reference engine on local hosts)
// through a deployment whose processes are crashed and restarted while the jobs run:
//   1. kill -9 of the worker while a chosen stage runs, the stages taken in turn, a new worker started
//      right after each kill (the killed attempt's heartbeat times out, the stage is retried);
//   2. kill -9 of the API mid-job and a new one on the same port;
//   3. kill -9 of the Temporal dev server mid-job and a restart on the same db file;
//   4. two workers on the queue at once, one of them killed mid-stage and not replaced.
// 2 and 3 hit the jobs still running from 1 (a new job only when none is).
// Then every job is checked: ended Success with the right answer, one host per party ever created,
// none left, no process of it left, and listed by the API (none lost).
import { Client, Connection } from '@temporalio/client';
import { Cluster, crash, type NodeProcess } from './cluster.js';
import { launchJob, listedJobs, playbookProcessesLeft, runningStages, statusOf, verifyJob, type FaultJob, type JobVerdict, type RunningStage } from './fault-jobs.js';
import type { StageActivities } from '../../workflows/activity-types.js';
import type { SecurityLevel } from '../../domain/job.js';

export const STAGES = ['createVMs', 'setupAuthentication', 'deployTvaCore', 'runExperiment', 'deleteVMs'] as const satisfies readonly (keyof StageActivities)[];

export interface FaultOptions {
  dir: string;
  /** kill -9 trials of scenario 1 (the stages in turn) */
  kills: number;
  /** jobs kept running at once in scenario 1, and the batch of scenario 4 */
  concurrency: number;
  /** scenario 4 (two workers); the short pass in `npm test` leaves it out */
  twoWorkers: boolean;
  log: (line: string) => void;
}

export interface KillTrial {
  stage: string;
  /** every stage a live worker was running at the kill, job by job */
  hit: RunningStage[];
}

export interface ScenarioResult {
  name: string;
  jobs: string[];
  notes: string[];
}

export interface FaultReport {
  trials: KillTrial[];
  missedStages: string[]; // targets no job reached in time
  scenarios: ScenarioResult[];
  verdicts: JobVerdict[];
  lost: string[]; // created, but not listed or never ended
  playbookProcessesLeft: string[];
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const END = new Set(['Success', 'Fail']);

/** One fault run's deployment, its jobs and the scenarios' results; each scenario is one method. */
class FaultRun {
  readonly jobs: FaultJob[] = [];
  readonly scenarios: ScenarioResult[] = [];
  readonly trials: KillTrial[] = [];
  readonly missedStages: string[] = [];
  private seed = 0;
  worker!: NodeProcess;

  constructor(
    readonly o: FaultOptions,
    readonly cluster: Cluster,
    readonly client: Client,
  ) {}

  get api(): string {
    return this.cluster.apiUrl;
  }

  async launch(level: SecurityLevel = this.seed % 3 === 2 ? 'mal' : 'semi'): Promise<FaultJob> {
    const job = await launchJob(this.api, level, this.seed++);
    this.jobs.push(job);
    return job;
  }

  /** Those of `ids` whose workflow still runs. */
  async open(ids: string[]): Promise<string[]> {
    const describe = (id: string) => this.client.workflow.getHandle(id).describe().catch(() => undefined);
    return (await Promise.all(ids.map(async (id) => ((await describe(id))?.status.name === 'RUNNING' ? id : undefined)))).filter((x): x is string => !!x);
  }

  /** Waits until one of `ids` has a stage running on `worker` (any stage when `stage` is undefined). */
  async whenRunning(ids: string[], worker: NodeProcess, stage?: string, timeoutMs = 240_000): Promise<RunningStage[] | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const running = (await runningStages(this.client, ids)).filter((r) => r.worker.startsWith(`${worker.child.pid}@`));
      if (running.some((r) => !stage || r.stage === stage)) return running;
      await sleep(150);
    }
    return undefined;
  }

  async waitEnded(ids: string[], timeoutMs = 900_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let left = ids; left.length && Date.now() < deadline; ) {
      left = (await Promise.all(left.map(async (id) => (END.has((await statusOf(this.api, id)) ?? '') ? undefined : id)))).filter((x): x is string => !!x);
      if (left.length) await sleep(1000);
    }
  }

  /** The jobs with a stage running on the worker now: those still going, else a new one. */
  async midJob(): Promise<string[]> {
    let ids = await this.open(this.jobs.map((j) => j.id));
    if (ids.length === 0) ids = [(await this.launch('semi')).id];
    const running = await this.whenRunning(ids, this.worker);
    return [...new Set((running ?? []).map((r) => r.jobId))];
  }

  /** 1. kill -9 of the worker in each stage in turn, a new worker right after each kill. */
  async workerKills(): Promise<void> {
    const first = this.jobs.length;
    const ids = () => this.jobs.slice(first).map((j) => j.id);
    for (let k = 0; k < this.o.kills; k++) {
      const stage = STAGES[k % STAGES.length];
      const deadline = Date.now() + 240_000;
      let hit: RunningStage[] | undefined;
      while (!hit && Date.now() < deadline) {
        if ((await this.open(ids())).length < this.o.concurrency) await this.launch();
        hit = await this.whenRunning(ids(), this.worker, stage, 2_000);
      }
      if (!hit) {
        this.missedStages.push(stage);
        this.o.log(`faults: trial ${k + 1}: no job reached ${stage} in time`);
        continue;
      }
      await crash(this.worker);
      this.trials.push({ stage, hit });
      this.o.log(`faults: trial ${k + 1}/${this.o.kills}: kill -9 of the worker during ${stage} (stages running: ${hit.map((h) => `${h.stage}#${h.attempt}`).join(', ')})`);
      this.worker = await this.cluster.startWorker();
    }
    this.scenarios.push({ name: `kill -9 of the worker, ${this.trials.length} trials`, jobs: ids(), notes: [] });
  }

  /** 2. The API killed and restarted mid-job. */
  async apiRestart(): Promise<void> {
    const ids = await this.midJob();
    await this.cluster.restartApi(2_000);
    const notes = [`status right after the restart: ${(await Promise.all(ids.map((id) => statusOf(this.api, id)))).join(', ')}`];
    this.scenarios.push({ name: 'kill -9 of the API mid-job, new API on the same port', jobs: ids, notes });
    this.o.log(`faults: API restarted with ${ids.length} job(s) running; ${notes.join('; ')}`);
  }

  /** 3. The Temporal dev server killed and restarted on the same db mid-job. */
  async temporalRestart(): Promise<void> {
    const ids = await this.midJob();
    await this.cluster.restartTemporal(3_000);
    await sleep(5_000);
    const notes: string[] = [];
    if (this.worker.child.exitCode !== null || this.worker.child.signalCode !== null) {
      notes.push('the worker exited while Temporal was down; a new one was started');
      this.worker = await this.cluster.startWorker();
    } else notes.push('the worker stayed up and reconnected');
    this.scenarios.push({ name: 'kill -9 of the Temporal dev server mid-job, restart on the same db file', jobs: ids, notes });
    this.o.log(`faults: Temporal restarted with ${ids.length} job(s) running; ${notes.join('; ')}`);
  }

  /** 4. Two workers at once; one of them dies mid-stage and is not replaced. */
  async twoWorkers(): Promise<void> {
    const second = await this.cluster.startWorker();
    const batch = await Promise.all(Array.from({ length: this.o.concurrency }, (_, i) => this.launch(i % 3 === 2 ? 'mal' : 'semi')));
    const ids = batch.map((j) => j.id);
    const onSecond = await this.whenRunning(ids, second);
    const onFirst = (await runningStages(this.client, ids)).filter((r) => r.worker.startsWith(`${this.worker.child.pid}@`)).length;
    const notes = [`stages running when one worker was killed: ${onSecond?.length ?? 0} on it, ${onFirst} on the other`];
    await crash(second);
    this.scenarios.push({ name: 'two workers at once, one killed mid-stage and not replaced', jobs: ids, notes });
    this.o.log(`faults: two workers; ${notes.join('; ')}`);
  }

  /** Every job ended, checked: answer, hosts, processes, and listed by the API. */
  async report(t0: number): Promise<FaultReport> {
    await this.waitEnded(this.jobs.map((j) => j.id));
    await sleep(2_000); // the last teardown's processes exit
    const verdicts = await Promise.all(this.jobs.map((j) => verifyJob(this.api, this.cluster.env.QS_DATA_DIR, j)));
    const listed = await listedJobs(this.api);
    const lost = verdicts.filter((v) => !listed.has(v.id) || !END.has(v.status)).map((v) => v.id);
    const { trials, missedStages, scenarios } = this;
    return { trials, missedStages, scenarios, verdicts, lost, playbookProcessesLeft: playbookProcessesLeft(), seconds: (Date.now() - t0) / 1000 };
  }
}

export async function runFaults(o: FaultOptions): Promise<FaultReport> {
  const t0 = Date.now();
  const cluster = await Cluster.start(o.dir, {
    TEMPORAL_TASK_QUEUE: 'faults',
    QS_STAGE_HEARTBEAT_TIMEOUT: '5', // a killed attempt is retried 5 s after its last heartbeat
    QS_SWEEP_INTERVAL: '0',
    QS_RATE_LIMIT: '999999',
  });
  // Ctrl-C stops every process this run started (the orphans of killed workers are the sweep's job).
  const onSignal = () => void cluster.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const connection = await Connection.connect({ address: cluster.env.TEMPORAL_ADDRESS });
  try {
    const run = new FaultRun(o, cluster, new Client({ connection }));
    await cluster.startApi();
    run.worker = await cluster.startWorker();
    await run.workerKills();
    // 2 and 3 hit the jobs still running from 1 (a new job only when none is).
    await run.apiRestart();
    await run.temporalRestart();
    if (o.twoWorkers) await run.twoWorkers();
    return await run.report(t0);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await connection.close().catch(() => undefined);
    await cluster.stop();
  }
}

/** The figures, as printed by `npm run chaos` and quoted in the README. */
export function faultSummary(r: FaultReport): { lines: string[]; ok: boolean } {
  const byStage = Object.fromEntries(STAGES.map((s) => [s, r.trials.filter((t) => t.stage === s).length]));
  const all = r.verdicts;
  const wrong = all.filter((v) => v.status !== 'Success' || !v.answerRight);
  const recreated = all.reduce((n, v) => n + v.hostsRecreated, 0);
  const hostsLeft = all.flatMap((v) => v.hostsLeft.map((h) => `${v.id}/${h}`));
  const procsLeft = [...all.flatMap((v) => v.processesLeft), ...r.playbookProcessesLeft];
  const retried = all.reduce((n, v) => n + Object.values(v.stageAttempts).reduce((a, b) => a + Math.max(0, b - 1), 0), 0);
  const lines = [
    `QueryShield fault runs: ${all.length} jobs in ${r.seconds.toFixed(0)} s`,
    `  kill -9 of the worker:        ${r.trials.length} trials (${STAGES.map((s) => `${s} ${byStage[s]}`).join(', ')})${r.missedStages.length ? `; missed: ${r.missedStages.join(', ')}` : ''}`,
    ...r.scenarios.map((s) => `  ${s.name}: ${s.jobs.length} job(s)${s.notes.length ? ` (${s.notes.join('; ')})` : ''}`),
    `  jobs ended Success, right answer: ${all.length - wrong.length} of ${all.length}`,
    `  stage attempts retried:       ${retried}`,
    `  hosts created (ledger lines): ${all.reduce((n, v) => n + v.hostsCreated, 0)} for ${all.reduce((n, v) => n + v.parties, 0)} parties (a party's host created twice: ${recreated})`,
    `  hosts left after the jobs:    ${hostsLeft.length}`,
    `  processes left (ansible/engine): ${procsLeft.length}`,
    `  jobs lost (not listed or never ended): ${r.lost.length}`,
    ...wrong.map((v) => `  not right: ${v.id} ${v.status} answer ${v.answerRight ? 'right' : 'wrong'} attempts ${JSON.stringify(v.stageAttempts)}`),
    ...hostsLeft.map((h) => `  left: ${h}`),
    ...procsLeft.map((p) => `  left: ${p}`),
  ];
  const ok = wrong.length === 0 && recreated === 0 && hostsLeft.length === 0 && procsLeft.length === 0 && r.lost.length === 0 && r.missedStages.length === 0;
  return { lines, ok };
}
