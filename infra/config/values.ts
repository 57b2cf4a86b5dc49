// Turning validated strings into numbers and booleans.
import { ConfigError } from './types.js';

export function portOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(name, `${name}=${JSON.stringify(value)}: must be a TCP port (1-65535)`);
  return n;
}

export function boolOf(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}

/** A comma-separated list, entries trimmed, empty ones dropped. */
export function listOf(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
