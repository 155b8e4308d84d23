import { BlockList, isIP, isIPv4 } from 'node:net';

/** Reason an address may not receive webhooks, as a phrase that follows "a" or "an" in a message. */
export type ForbiddenKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'unspecified'
  | 'multicast'
  | 'cloud metadata'
  | 'documentation'
  | 'Teredo tunnel'
  | 'reserved';

const IPV4_RANGES: Array<[string, number, ForbiddenKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: Array<[string, number, ForbiddenKind]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // IPv4-compatible addresses (deprecated by RFC 4291) and the discard prefix.
  ['::', 96, 'reserved'],
  ['100::', 64, 'reserved'],
  // Local-use NAT64 (RFC 8215): the operator chooses where the IPv4 address sits, so it cannot be read out.
  ['64:ff9b:1::', 48, 'private'],
  // Teredo (RFC 4380) carries an obfuscated IPv4 server and client, and a relay may connect to either.
  ['2001::', 32, 'Teredo tunnel'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

/** The instance metadata service of AWS and others, over IPv4 and IPv6 (EC2 Nitro). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

function blockListsOf(ranges: Array<[string, number, ForbiddenKind]>, family: 'ipv4' | 'ipv6'): Array<[BlockList, ForbiddenKind]> {
  return ranges.map(([network, prefix, kind]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return [list, kind];
  });
}

const IPV4_LISTS = blockListsOf(IPV4_RANGES, 'ipv4');
const IPV6_LISTS = blockListsOf(IPV6_RANGES, 'ipv6');

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16));
}

function ipv4From(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * Returns the IPv4 address that an IPv6 address carries, for the forms a
 * host or a router turns into an IPv4 connection: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64
 * (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedIpv4(address: string): string | null {
  const groups = ipv6Groups(address);
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return ipv4From(groups[6], groups[7]);
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return ipv4From(groups[6], groups[7]);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return ipv4From(groups[6], groups[7]);
  if (groups[0] === 0x2002) return ipv4From(groups[1], groups[2]);
  return null;
}

/**
 * Returns why an IP address may not receive webhooks, or null for a public
 * address. An IPv6 address that carries an IPv4 address is judged by that
 * IPv4 address.
 */
export function forbiddenKind(address: string): ForbiddenKind | null {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  if (METADATA_ADDRESSES.has(address.toLowerCase())) return 'cloud metadata';

  if (isIPv4(address)) {
    for (const [list, kind] of IPV4_LISTS) if (list.check(address, 'ipv4')) return kind;
    return null;
  }
  const embedded = embeddedIpv4(address);
  if (embedded) return forbiddenKind(embedded);
  if (ipv6Groups(address).join(':') === ipv6Groups('fd00:ec2::254').join(':')) return 'cloud metadata';
  for (const [list, kind] of IPV6_LISTS) if (list.check(address, 'ipv6')) return kind;
  return null;
}
