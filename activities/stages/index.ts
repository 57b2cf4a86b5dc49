// The stage activities: each renders its playbook's inventory and vars, runs it (heartbeating the
// current Ansible task), and returns only what the Web UI may show. URLs for the parties are signed
// here and travel in the 0600 vars file, never in a return value.
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../infra/config.js';
import type { JobStorage } from '../../infra/storage/index.js';
import { jobParties } from '../../domain/names.js';
import { heartbeatingRun } from '../ansible/heartbeat.js';
import { compileJobQuery, planFile } from '../../domain/job-query.js';
import type { StageActivities } from '../../workflows/activity-types.js';
import type { JobConfig, PartyHost, StageResult } from '../../domain/job.js';
import { commonVars, controllerInventory, deployedEngineFile, engineArgv, engineVars, jobDir, partyInventory, peerList, sshDir, cloudVars } from './plan.js';

/**
 * An engine that failed says why in one line (naming the link), which run_experiment.yml's check puts in
 * its failure message as "party<i>: engine exited <rc>: <line>". The stage's message carries the first
 * such message that names a link, else the first: a party killed with -9 says only "Killed", while the
 * parties it left say which link broke, and which party's message comes first varies from run to run.
 * Takes the failures' messages (the runner's structured events); a line of the human-readable log that
 * holds one (quoted by ansible) works too. A party that refused an input ("party<i>: input check failed:
 * owner '<owner>': …", run_experiment.yml: not the file validated at submit) is carried the same way.
 */
export function engineFailure(messages: string[]): string | undefined {
  const lines = messages.flatMap((line) => {
    const m = /(party\d+: (?:engine exited \d+|input check failed): .*?)["']?\s*$/.exec(line);
    return m ? [m[1].replace(/''/g, "'")] : [];
  });
  return lines.find((line) => /\blink party\d+ <-> party\d+/.test(line)) ?? lines[0];
}

export interface StageDeps {
  config: Config;
  storage: JobStorage;
}

/** Runs one stage's playbook with heartbeats, its log in the job folder; a failure names the task (and the
 *  engine's own words when the engine stopped it). */
async function runStage(config: Config, stage: string, job: JobConfig, playbook: string, inventory: Record<string, unknown>, extraVars: Record<string, unknown>): Promise<StageResult> {
  const logs = path.join(jobDir(config, job.jobId), 'logs');
  await mkdir(logs, { recursive: true, mode: 0o700 });
  const result = await heartbeatingRun({
    playbook,
    inventory,
    extraVars: { ...commonVars(config, job), ...extraVars },
    timeoutMs: config.stage.timeoutSeconds * 1000,
    logFile: path.join(logs, `${stage}.log`),
    owner: job.jobId,
  }, { everyMs: 2000 }); // matches the worker's 2 s heartbeat throttle, so a cancel lands within seconds
  if (!result.ok) {
    const engine = engineFailure(result.failures.flatMap((f) => (f.msg ? [f.msg] : [])));
    throw ApplicationFailure.create({
      type: 'StageFailed',
      message: `${stage} failed at task '${result.failedTask ?? 'unknown'}'${engine ? `: ${engine}` : ''}`,
      details: [{ logTail: result.logTail.slice(-20) }],
    });
  }
  return { durationMs: result.durationMs, logTail: result.logTail.slice(-10), facts: result.reported };
}

/**
 * The controller's own key pair for the job, made once by the worker into the job folder (0700, key
 * 0600): it logs the controller in to the job's cloud VMs and never leaves the controller.
 */
async function ensureKeyPair(config: Config, job: JobConfig): Promise<string> {
  const dir = sshDir(config, job.jobId);
  const key = path.join(dir, 'id_ed25519');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(key) || !existsSync(`${key}.pub`)) {
    await rm(key, { force: true });
    await rm(`${key}.pub`, { force: true });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `queryshield-${job.jobId}`, '-f', key]);
  }
  return (await readFile(`${key}.pub`, 'utf8')).trim();
}

/** The engine vars deployTvaCore used (engine.json), or, for a job deployed before they were kept, today's. */
async function deployedEngine(config: Config, job: JobConfig): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(deployedEngineFile(config, job.jobId), 'utf8')) as Record<string, unknown>;
  } catch {
    return engineVars(config, job);
  }
}

/** runExperiment's vars: the plan, and each party's read URLs for its own bucket only and a write URL for its own result. */
async function experimentVars({ config, storage }: StageDeps, job: JobConfig, hosts: PartyHost[], owners: string[]): Promise<Record<string, unknown>> {
  // The same compilation create_job checked: the plan goes to every party as plan.txt.
  const compiled = compileJobQuery(job.querySql, Object.keys(job.schema));
  if (!compiled.ok) throw ApplicationFailure.nonRetryable(`the query cannot run: ${compiled.error}`, 'QueryRefused');
  const sorted = [...owners].sort();
  const inputs: Record<string, { owner: string; url: string }[]> = {};
  const results: Record<string, { url: string; headers: Record<string, string> }> = {};
  for (const party of jobParties(job)) {
    inputs[party.index] = await storage.inputReadUrls(party, sorted);
    results[party.index] = await storage.resultUploadUrl(party);
  }
  return { qs_inputs: inputs, qs_results: results, qs_plan: planFile(compiled.plan), qs_engine_argv: engineArgv(config, job, hosts, await deployedEngine(config, job)) };
}

export function createStageActivities(deps: StageDeps): StageActivities {
  const { config } = deps;
  return {
    async createVMs(job) {
      // Local parties are reached with Ansible's local connection: no login key exists for them.
      const publicKey = config.compute === 'local' ? '' : await ensureKeyPair(config, job);
      const result = await runStage(config, 'createVMs', job, 'create_vms.yml', controllerInventory(), { qs_cloud: cloudVars(config, publicKey) });
      const hosts = (result.facts?.hosts ?? []) as PartyHost[];
      return { ...result, facts: { hosts } };
    },

    async setupAuthentication(job, hosts) {
      if (hosts.some((h) => h.compute !== 'local')) await ensureKeyPair(config, job);
      return runStage(config, 'setupAuthentication', job, 'setup_auth.yml', partyInventory(config, job, hosts), { qs_peers: peerList(job, hosts) });
    },

    async deployTvaCore(job, hosts) {
      const vars = engineVars(config, job);
      const result = await runStage(config, 'deployTvaCore', job, 'deploy_engine.yml', partyInventory(config, job, hosts), { qs_engine: vars });
      await writeFile(deployedEngineFile(config, job.jobId), JSON.stringify(vars), { mode: 0o600 });
      return result;
    },

    async runExperiment(job, hosts, owners) {
      return runStage(config, 'runExperiment', job, 'run_experiment.yml', partyInventory(config, job, hosts), await experimentVars(deps, job, hosts, owners));
    },

    async deleteVMs(job) {
      const result = await runStage(config, 'deleteVMs', job, 'delete_vms.yml', controllerInventory(), {});
      // The job's key pair and folder go with its hosts; logs stay until the job's storage is deleted.
      await rm(sshDir(config, job.jobId), { recursive: true, force: true });
      await rm(deployedEngineFile(config, job.jobId), { force: true });
      return result;
    },
  };
}
