// `npm run token -- analyst|data_owner|admin [name]`: makes a random bearer token and prints it once, with
// the line to add to the tokens file (only the SHA-256 hash is ever stored).
import { randomBytes } from 'node:crypto';
import { hashToken } from '../api/auth.js';

const [role, name = `${role}-${new Date().toISOString().slice(0, 10)}`] = process.argv.slice(2);
if (role !== 'analyst' && role !== 'data_owner' && role !== 'admin') {
  console.error('usage: npm run token -- analyst|data_owner|admin [name]');
  process.exit(2);
}
const token = `qs_${randomBytes(32).toString('base64url')}`;
console.log(`token (give it to its holder, it is not stored): ${token}`);
console.log(`tokens file entry: ${JSON.stringify({ name, role, sha256: hashToken(token) })}`);
console.log(`or in the environment: QS_API_TOKEN_HASHES=${role}:${hashToken(token)}`);
