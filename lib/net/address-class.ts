/**
 * What kind of network an IP address reaches, by the IANA special-purpose registries as ipaddr.js
 * keeps them. Only `public` addresses are publishers' servers; everything else is ours or nobody's.
 */
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unspecified' | 'multicast' | 'broadcast' | 'reserved';

// ipaddr.js range names; any range not named here (documentation, benchmarking, 240/4, AS112,
// AMT, ORCHID, discard…) is special-purpose, never a publisher's server: `reserved`.
const V4_RANGES: Record<string, AddressClass> = {
  unicast: 'public',
  private: 'private',
  carrierGradeNat: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};
const V6_RANGES: Record<string, AddressClass> = {
  unicast: 'public',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
};

/** RFC 8215's local-use NAT64 prefix: translated inside one operator's network, never globally routed. */
const NAT64_LOCAL_USE = ipaddr.parseCIDR('64:ff9b:1::/48');

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);

/** The IPv4 address an IPv6 form carries and reaches (through the kernel, a relay or a translator). */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = a.parts;
  switch (a.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d (ipaddr.process already unwraps it; kept for clarity)
    case 'rfc6145': // IPv4-translated ::ffff:0:a.b.c.d
    case 'rfc6052': // NAT64 64:ff9b::a.b.c.d, and the local-use 64:ff9b:1::/48 in its /96 form
      return v4(p[6], p[7]);
    case '6to4': // 2002:AABB:CCDD::/48
      return v4(p[1], p[2]);
    case 'teredo': // 2001:0:server:flags:port:client, the client address inverted
      return v4(p[6] ^ 0xffff, p[7] ^ 0xffff);
    case 'unicast': // IPv4-compatible ::a.b.c.d (deprecated); :: and ::1 have ranges of their own
      return p.slice(0, 6).every((x) => x === 0) ? v4(p[6], p[7]) : undefined;
    default:
      return undefined;
  }
}

/**
 * This machine's own loopback: 127/8 and ::1, IPv4-mapped included. Not a 6to4, Teredo or NAT64
 * form of 127.x, which is `loopback` by class but would leave through a relay or translator.
 */
export function isLocalLoopback(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'loopback';
}

/** The class of an address in any notation ipaddr.js reads (zone ids included); anything else is `reserved`. */
export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'reserved';
  const a = ipaddr.process(address);
  if (a.kind() === 'ipv4') return V4_RANGES[a.range()] ?? 'reserved';
  const v6 = a as ipaddr.IPv6;
  const inner = embeddedV4(v6);
  if (inner) {
    const cls = V4_RANGES[inner.range()] ?? 'reserved';
    return cls === 'public' && v6.match(NAT64_LOCAL_USE) ? 'reserved' : cls;
  }
  return V6_RANGES[v6.range()] ?? 'reserved';
}
