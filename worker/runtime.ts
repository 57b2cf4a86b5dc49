// The Temporal SDK's process-wide runtime, installed once before the first connection: its log lines
// (the SDK's own, workflows' and activities' context loggers) go through the worker's pino logger, and
// its metrics (pollers, task latencies, activity outcomes, …) are served in Prometheus format on
// QS_WORKER_METRICS (host:port) when set.
import { Runtime, makeTelemetryFilterString, type RuntimeOptions } from '@temporalio/worker';
import type { Logger as SdkLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';

/** The stage-duration histogram (worker/activities.ts records it), given buckets fit for stages below. */
export const STAGE_SECONDS = 'queryshield_stage_duration_seconds';

const LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's Logger interface over pino. */
export function sdkLogger(log: Logger): SdkLogger {
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => log[LEVEL[level]]({ ...meta }, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

export function runtimeOptions(config: Config, log: Logger): RuntimeOptions {
  const metricsAddress = config.worker.metricsAddress;
  return {
    logger: sdkLogger(log),
    telemetryOptions: {
      // The core's own lines join the same stream instead of going straight to the console.
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: metricsAddress,
                // Prometheus's convention; the SDK's default is milliseconds.
                useSecondsForDurations: true,
                // A stage runs for seconds to minutes: the SDK's default buckets are for task latencies.
                histogramBucketOverrides: { [STAGE_SECONDS]: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600] },
              },
            },
          }
        : {}),
    },
  };
}

/** Installs the runtime; must run before any NativeConnection or Worker is made in this process. */
export function installRuntime(config: Config, log: Logger): Runtime {
  return Runtime.install(runtimeOptions(config, log));
}
