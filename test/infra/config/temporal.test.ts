// Temporal settings through @temporalio/envconfig: the standard variables, profiles from a TOML file,
// and the project's older names (accepted, each with a deprecation line).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../infra/config.js';
import { connectionSettings } from '../../../infra/temporal-connection.js';
import { expectConfigError } from '../../helpers/config-error.js';

const dir = mkdtempSync(path.join(tmpdir(), 'qs-temporal-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cert = file('client.pem', 'CERT');
const key = file('client.key', 'KEY');
const ca = file('ca.pem', 'CA');
const toml = file(
  'temporal.toml',
  ['[profile.default]', 'address = "127.0.0.1:7233"', '', '[profile.prod]', 'address = "prod.tmprl.cloud:7233"', 'namespace = "qs-prod"', 'api_key = "from-profile"', ''].join('\n'),
);

describe('Temporal settings (envconfig)', () => {
  it('when the standard mTLS variables are set, then the connection carries the certificate, key and CA', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'tmprl' });
    expect(c.deprecations).toEqual([]);
    const s = connectionSettings(c);
    expect(s.address).toBe('temporal.example:7233');
    expect(s.tls).toMatchObject({ serverNameOverride: 'tmprl', clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverRootCACertificate: Buffer.from('CA') });
  });

  it('when the old names are used, then they still work and each adds a line naming its replacement', () => {
    const c = loadConfig({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca });
    expect(c.deprecations).toEqual([
      'TEMPORAL_TLS_CERT is deprecated: use TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_KEY is deprecated: use TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_CA is deprecated: use TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    ]);
    expect(connectionSettings(c).tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverRootCACertificate: Buffer.from('CA') });
  });

  it('when a profile is named, then the file gives address, namespace and API key, and a variable overrides the file', () => {
    const c = loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'qs-override' });
    expect(c.temporal).toMatchObject({ address: 'prod.tmprl.cloud:7233', namespace: 'qs-override', apiKey: 'from-profile' });
    // an API key without TLS settings means TLS (Temporal Cloud), as the CLI does
    expect(connectionSettings(c)).toMatchObject({ address: 'prod.tmprl.cloud:7233', apiKey: 'from-profile', tls: true });
  });

  it('when the default file sits in the home folder, then its default profile is read', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'qs-home-'));
    const conf = path.join(home, 'temporalio');
    mkdirSync(conf, { recursive: true });
    writeFileSync(path.join(conf, 'temporal.toml'), '[profile.default]\naddress = "home.example:7233"\n');
    expect(loadConfig({ XDG_CONFIG_HOME: home }).temporal.address).toBe('home.example:7233');
  });

  it('when nothing is set, then the local dev server without TLS', () => {
    const c = loadConfig({});
    expect(c.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'queryshield' });
    expect(connectionSettings(c)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('when TEMPORAL_API_KEY_FILE (old) is set, then the key is read from it at connection, with a deprecation line', () => {
    const c = loadConfig({ TEMPORAL_API_KEY_FILE: file('key.txt', 'secret-key\n') });
    expect(c.deprecations).toEqual(["TEMPORAL_API_KEY_FILE is deprecated: use TEMPORAL_API_KEY or a profile's api_key"]);
    expect(connectionSettings(c)).toMatchObject({ apiKey: 'secret-key', tls: true });
  });

  it.each([
    [{ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' }, 'TEMPORAL_CONFIG_FILE'],
    [{ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml'), TEMPORAL_PROFILE: 'prod' }, 'TEMPORAL_CONFIG_FILE'],
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }, 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS'],
  ])('when %j, then a ConfigError names %s', expectConfigError);
});
