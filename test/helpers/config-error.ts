// The check every configuration test makes of a bad environment: loadConfig throws a ConfigError whose
// variable, and whose message, name the variable at fault.
import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config.js';

export function expectConfigError(env: Record<string, string | undefined>, name: string): void {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(name);
  expect((error as Error).message).toContain(name);
}
