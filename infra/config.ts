// The one place that reads process.env. Every variable is validated against one TypeBox schema at
// start-up (infra/config/schema.ts); anything unset takes the embedded default (local Temporal dev server
// and the three emulators). Each concern's settings are built in a module of their own under infra/config/.
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';
import { ENV_SCHEMA, type RawEnv } from './config/schema.js';
import { ConfigError, type Config } from './config/types.js';
import { temporalSettings } from './config/temporal.js';
import { devPortsOf, storageSettings } from './config/storage.js';
import { computeSettings } from './config/compute.js';
import { apiSettings } from './config/api.js';
import { jobSettings } from './config/jobs.js';

export { ENV_SCHEMA, MAX_URL_TTL_SECONDS, type RawEnv } from './config/schema.js';
export { ConfigError, type Config } from './config/types.js';
export { AZURITE_ACCOUNT, AZURITE_KEY } from './config/storage.js';
export { isIpv4Cidr, isLoopbackHost } from './config/net.js';
export { REPO_ROOT } from './config/paths.js';

/** The schema's variables that are set, checked; throws ConfigError naming the first bad one. */
function validated(env: NodeJS.ProcessEnv): RawEnv {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ENV_SCHEMA.properties)) {
    const v = env[key];
    if (v !== undefined) raw[key] = v;
  }
  const first = Value.Errors(ENV_SCHEMA, raw).First();
  if (first) {
    const name = first.path.replace(/^\//, '');
    const schema = (ENV_SCHEMA.properties as Record<string, { description?: string }>)[name];
    const want = schema?.description ?? first.message;
    throw new ConfigError(name, `${name}=${JSON.stringify(raw[name])}: must be ${want}`);
  }
  return raw as RawEnv;
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = validated(env);
  const dataDir = path.resolve(e.QS_DATA_DIR ?? '.data');
  const devPorts = devPortsOf(e);
  const deprecations: string[] = [];
  return {
    ...apiSettings(e),
    temporal: temporalSettings(e, { HOME: env.HOME, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, deprecations),
    dataDir,
    ...storageSettings(e, dataDir, devPorts),
    ...computeSettings(e, devPorts),
    ...jobSettings(e),
    worker: {
      // A redeploy stops workers with SIGTERM: running stages get this long to finish before they are
      // cancelled (and retried on another worker).
      shutdownGraceSeconds: Number(e.QS_SHUTDOWN_GRACE ?? 60),
      metricsAddress: e.QS_WORKER_METRICS || undefined,
    },
    deprecations,
    devPorts,
  };
}

/** For entry points: load the config or print one line naming the variable and exit 1. Deprecation
 *  lines go to stderr too, before anything else is logged. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    const config = loadConfig(env);
    for (const line of config.deprecations) process.stderr.write(`configuration: ${line}\n`);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
