// Temporal connection settings the way the `temporal` CLI and every SDK read them (@temporalio/envconfig):
// a profile from the config file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; profile
// TEMPORAL_PROFILE, else "default"), overridden by the standard variables. The project's older names
// still work, each with a line naming its replacement.
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import type { RawEnv } from './schema.js';
import { ConfigError, type Config } from './types.js';

/** Old name → the standard variable that replaces it. */
const RENAMED = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

const ADDRESS = /^[^\s:]+:[0-9]{1,5}$/;

/** The variables envconfig reads, from the validated ones (never the whole environment), old names mapped. */
function standardVariables(e: RawEnv, deprecations: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(e)) if (key.startsWith('TEMPORAL_') && value !== undefined) vars[key] = value;
  for (const [old, standard] of Object.entries(RENAMED) as [keyof typeof RENAMED, string][]) {
    if (e[old] === undefined) continue;
    deprecations.push(`${old} is deprecated: use ${standard}${vars[standard] !== undefined ? ` (set too; it wins)` : ''}`);
    vars[standard] ??= e[old]!;
  }
  if (e.TEMPORAL_API_KEY_FILE !== undefined) {
    deprecations.push('TEMPORAL_API_KEY_FILE is deprecated: use TEMPORAL_API_KEY or a profile\'s api_key');
  }
  return vars;
}

function profileOf(e: RawEnv, vars: Record<string, string>, home: { HOME?: string; XDG_CONFIG_HOME?: string }): ClientConfigProfile {
  try {
    return loadClientConfigProfile({
      profile: e.TEMPORAL_PROFILE,
      configSource: e.TEMPORAL_CONFIG_FILE ? { path: e.TEMPORAL_CONFIG_FILE } : undefined,
      // HOME and XDG_CONFIG_HOME only locate the default file; they configure nothing themselves.
      overrideEnvVars: { ...vars, ...(home.HOME ? { HOME: home.HOME } : {}), ...(home.XDG_CONFIG_HOME ? { XDG_CONFIG_HOME: home.XDG_CONFIG_HOME } : {}) },
    });
  } catch (err) {
    const variable = e.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : 'TEMPORAL_PROFILE';
    throw new ConfigError(variable, `${variable}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The `temporal` part of the configuration; deprecation lines are added to `deprecations`. */
export function temporalSettings(e: RawEnv, home: { HOME?: string; XDG_CONFIG_HOME?: string }, deprecations: string[]): Config['temporal'] {
  const vars = standardVariables(e, deprecations);
  const profile = profileOf(e, vars, home);
  const address = profile.address ?? '127.0.0.1:7233';
  if (!ADDRESS.test(address)) throw new ConfigError('TEMPORAL_ADDRESS', `TEMPORAL_ADDRESS=${JSON.stringify(address)}: must be host:port`);
  const tls = profile.tls;
  if (tls && !tls.disabled && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    const [cert, key] = e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_KEY ? ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] : ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'];
    throw new ConfigError(key, `${cert} and ${key} (a client certificate and its key) must be set together`);
  }
  return {
    address,
    namespace: profile.namespace ?? 'default',
    taskQueue: e.TEMPORAL_TASK_QUEUE ?? 'queryshield',
    tls,
    apiKey: profile.apiKey,
    apiKeyFile: profile.apiKey === undefined ? e.TEMPORAL_API_KEY_FILE : undefined,
    grpcMeta: profile.grpcMeta,
  };
}
