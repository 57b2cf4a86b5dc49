// The one logger of the API and the worker: pino, JSON lines on stdout, the level from QS_LOG_LEVEL
// (info by default). Lifecycle messages go through it; `npm run dev` and the tests find a process's
// ready line inside its JSON record.
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

export function createLogger(config: Pick<Config, 'logLevel'>, name: string): Logger {
  return pino({
    name,
    level: config.logLevel,
    // Nothing secret is logged on purpose; these keys are dropped should one reach a log call anyway.
    redact: { paths: ['req.headers.authorization', 'apiKey', 'secretAccessKey', 'token'], remove: true },
  });
}
