// Address checks the configuration applies (and the API reuses for its start-up warning).

/** A bind address only this machine reaches (the API may run open, without tokens, only there). */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host);
}

/** a.b.c.d/n with every octet 0-255, n 0-32 and no bits set past the prefix (what every cloud's rule accepts). */
export function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o, i) => o > 255 || String(o) !== m[i + 1]) || len > 32) return false;
  const n = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((n & ~mask) >>> 0) === 0;
}
