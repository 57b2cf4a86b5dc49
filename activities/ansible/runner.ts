// CONTRACT STUB — implemented by the runner work. Signature is fixed; callers may rely on it.
export interface PlaybookRun {
  /** playbook file name under ansible/, e.g. 'create_vms.yml' */
  playbook: string;
  /** inventory content (Ansible YAML inventory as an object), written to a 0600 temp file */
  inventory: Record<string, unknown>;
  /** extra vars, written to a 0600 JSON file passed as -e @file and deleted afterwards */
  extraVars: Record<string, unknown>;
  /** called with the current task name (throttled) — the stage activity heartbeats it */
  onProgress?: (task: string) => void;
  /** aborting kills the whole ansible process group */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** how many last output lines to keep (default 40) */
  tailLines?: number;
}

export interface PlaybookResult {
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  logTail: string[];
  /** name of the task that failed, when one did */
  failedTask?: string;
  /** facts a playbook reported with the `qs_report` convention (see runner docs) */
  reported: Record<string, unknown>;
}

export async function runPlaybook(_run: PlaybookRun): Promise<PlaybookResult> {
  throw new Error('runPlaybook: not implemented yet');
}
