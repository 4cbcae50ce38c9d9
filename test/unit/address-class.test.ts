/** The address classes, in every notation an address reaches us in: a URL's host or a DNS answer. */
import { classifyAddress, type AddressClass } from '../../lib/net/address-class';
import { addressAllowed } from '../../lib/net/url-policy';

// [address as a resolver or a socket gives it, expected class]
const ADDRESSES: Array<[string, AddressClass]> = [
  // IPv4, dotted
  ['20.60.1.2', 'public'],
  ['8.8.8.8', 'public'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'], // CGNAT (shared address space)
  ['100.127.255.254', 'private'],
  ['127.0.0.1', 'loopback'],
  ['127.8.9.10', 'loopback'],
  ['169.254.169.254', 'link-local'], // cloud metadata
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'], // "this network"
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.10', 'reserved'], // documentation TEST-NET-1
  ['198.51.100.7', 'reserved'], // TEST-NET-2
  ['203.0.113.5', 'reserved'], // TEST-NET-3
  ['198.18.0.1', 'reserved'], // benchmarking
  ['198.19.255.1', 'reserved'],
  ['192.0.0.8', 'reserved'], // IETF protocol assignments
  ['240.0.0.1', 'reserved'],
  // IPv6, compressed and expanded
  ['2603:1030::1', 'public'],
  ['2603:1030:0:0:0:0:0:1', 'public'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['0000:0000:0000:0000:0000:0000:0000:0001', 'loopback'],
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'], // with a zone, as a resolver may answer
  ['fd00::1', 'private'], // unique local
  ['fc00::1', 'private'],
  ['fec0::1', 'private'], // deprecated site-local
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'], // documentation
  ['3fff::1', 'reserved'], // documentation (RFC 9637)
  ['2001:2::1', 'reserved'], // benchmarking
  ['100::1', 'reserved'], // discard
  // IPv4-mapped: the kernel connects to the IPv4 address
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:20.60.1.2', 'public'],
  // IPv4-translated (RFC 6145) and IPv4-compatible (deprecated)
  ['::ffff:0:127.0.0.1', 'loopback'],
  ['::ffff:0:a00:1', 'private'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::a9fe:a9fe', 'link-local'],
  // 6to4: 2002:AABB:CCDD::/48 reaches AA.BB.CC.DD through a relay
  ['2002:7f00:1::', 'loopback'],
  ['2002:a00:1::1', 'private'],
  ['2002:a9fe:a9fe::', 'link-local'],
  ['2002:143c:102::1', 'public'], // 20.60.1.2
  // Teredo: the client address is the last 32 bits, inverted
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'], // client 127.0.0.1
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // client 10.0.0.1
  ['2001:0:4136:e378:8000:63bf:5601:5601', 'link-local'], // client 169.254.169.254
  ['2001:0:4136:e378:8000:63bf:ebc3:fefd', 'public'], // client 20.60.1.2
  // NAT64, well-known prefix and the local-use prefix (RFC 8215, never globally routed)
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::20.60.1.2', 'public'],
  ['64:ff9b:1::7f00:1', 'loopback'],
  ['64:ff9b:1::192.168.0.1', 'private'],
  ['64:ff9b:1::20.60.1.2', 'reserved'],
  // not an address at all
  ['example.com', 'reserved'],
  ['', 'reserved'],
];

describe('classifyAddress', () => {
  it.each(ADDRESSES)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('only public addresses are allowed; our own loopback too when the policy allows it (development)', () => {
    // 127.x behind a relay or translator is not this machine's loopback: never allowed. (ipaddr.js
    // reads the dotted ::127.0.0.1 as IPv4-mapped; resolvers and URLs give it as ::7f00:1.)
    const relayed = new Set(['::7f00:1', '2002:7f00:1::', '2001:0:4136:e378:8000:63bf:80ff:fffe', '64:ff9b::7f00:1', '64:ff9b:1::7f00:1', '::ffff:0:127.0.0.1']);
    for (const [address, cls] of ADDRESSES) {
      expect([address, addressAllowed(address, { allowLoopback: false })]).toEqual([address, cls === 'public']);
      expect([address, addressAllowed(address, { allowLoopback: true })]).toEqual([address, cls === 'public' || (cls === 'loopback' && !relayed.has(address))]);
    }
  });
});

// What WHATWG URL parsing makes of a host: decimal, octal and hex IPv4 forms become dotted quads,
// IPv6 is compressed (zone ids are not valid in URLs). Each must be classified as what it reaches.
const URL_HOSTS: Array<[string, AddressClass]> = [
  ['2130706433', 'loopback'], // 127.0.0.1 as one decimal number
  ['0x7f000001', 'loopback'],
  ['0177.0.0.1', 'loopback'], // octal
  ['0x7f.0.0.1', 'loopback'],
  ['127.1', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['0xa9.0xfe.0xa9.0xfe', 'link-local'],
  ['2852039166', 'link-local'], // 169.254.169.254
  ['012.0.0.1', 'private'], // 10.0.0.1
  ['0xc0a80001', 'private'],
  ['0', 'unspecified'],
  ['4294967295', 'broadcast'],
  ['[0:0:0:0:0:0:0:1]', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['[::ffff:a9fe:a9fe]', 'link-local'],
  ['[2002:7f00:1::]', 'loopback'],
  ['[64:ff9b::127.0.0.1]', 'loopback'],
  ['[64:ff9b:1::a00:1]', 'private'],
  ['[2001:0:4136:e378:8000:63bf:80ff:fffe]', 'loopback'],
  ['[FE80:0000::1]', 'link-local'],
];

describe('addresses in URLs', () => {
  it.each(URL_HOSTS)('https://%s/ reaches a %s address', (host, expected) => {
    const hostname = new URL(`https://${host}/x`).hostname.replace(/^\[|\]$/g, '');
    expect(classifyAddress(hostname)).toBe(expected);
  });
});
