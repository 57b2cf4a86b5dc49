// Cloud mode on GCP and Azure needs the Python libraries their collections import on the controller.
// After the setup step (scripts/setup.sh, which the suite runs first), the collections' own module_utils
// must import with every library they look for: otherwise every gcp/azure task fails before reaching a cloud.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../infra/config.js';

const run = promisify(execFile);
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

const CHECK = `
import json
from ansible_collections.google.cloud.plugins.module_utils import gcp_utils as g
from ansible_collections.azure.azcollection.plugins.module_utils import azure_rm_common as a
print(json.dumps({
  'google_auth': g.HAS_GOOGLE_LIBRARIES, 'requests': g.HAS_REQUESTS,
  'azure': a.HAS_AZURE, 'azure_error': str(getattr(a, 'HAS_AZURE_EXC', '') or ''),
}))
`;

describe("the cloud collections' Python libraries", () => {
  it('when the setup step has run, then google.cloud and azure.azcollection find every library they import', async () => {
    const { stdout } = await run(PYTHON, ['-c', CHECK], { cwd: REPO_ROOT });
    expect(JSON.parse(stdout)).toEqual({ google_auth: true, requests: true, azure: true, azure_error: '' });
  });
});
