// The configuration the suite's services run on, as a test file sees it.
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../infra/config.js';

/** Environment of the suite's emulators and dev server, merged over the process's own. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...inject('qsEnv'), ...extra };
}

export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig(testEnv(extra));
}
