// `npm run build`'s second step: writes dist/workflow-bundle.js from the compiled workflows.
import { buildBundle } from './bundle.js';

buildBundle().then(
  ({ path, bytes }) => process.stdout.write(`build: workflow bundle ${path} (${Math.round(bytes / 1024)} kB)\n`),
  (err) => {
    process.stderr.write(`build: the workflow bundle failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  },
);
