// How local parties (QS_COMPUTE=local) reach each other. Where this machine lets us make network
// namespaces (root, and `ip netns` with veth pairs and a bridge works), every local party is a host of its
// own: a namespace with one address on the private bridge qsbr0 (ansible/providers/local/netns.sh), so
// its engine links cross a real network interface, as between clouds. Elsewhere the parties share
// loopback, each on a port of its own. Detected once per process: the answer cannot change while it runs.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './config.js';

export type LocalNetworkMode = 'namespaces' | 'loopback';

/** The script that makes, removes and probes a local party's namespace. */
export const NETNS_SCRIPT = path.join(REPO_ROOT, 'ansible', 'providers', 'local', 'netns.sh');

/** The bridge every job's namespaces hang on, and its private /16 (checked against this machine's routes). */
export const LOCAL_BRIDGE = { name: 'qsbr0', network: '10.213.0.0/16', gateway: '10.213.0.1' } as const;

let detected: LocalNetworkMode | undefined;

/** 'namespaces' when this process may make network namespaces here, else 'loopback'. */
export function localNetworkMode(): LocalNetworkMode {
  detected ??= probe();
  return detected;
}

function probe(): LocalNetworkMode {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'loopback';
  try {
    execFileSync('sh', [NETNS_SCRIPT, 'probe'], { stdio: 'ignore', timeout: 10_000 });
    return 'namespaces';
  } catch {
    return 'loopback';
  }
}
