// Writes a service-account key file in Google's JSON format with a fresh RSA key, so the GCS SDK can
// sign V4 URLs locally against the emulator. It grants nothing anywhere: no real account has this key.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = {
  type: 'service_account',
  project_id: 'queryshield-local',
  private_key_id: 'local',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  client_email: 'queryshield-local@queryshield-local.iam.gserviceaccount.com',
  client_id: '0',
  token_uri: 'http://127.0.0.1/token',
};
writeFileSync(out, JSON.stringify(key, null, 2), { mode: 0o600 });
