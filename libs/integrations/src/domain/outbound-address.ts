import * as ipaddr from 'ipaddr.js';
import { isIPv6 } from 'node:net';

/**
 * Pure address rules for outbound requests (docs/contract.md §3 step 5): parse IP literals in every
 * encoding a resolver or URL parser accepts, classify them, and match them against CIDR ranges. No
 * networking. Parsing, formatting and CIDR matching are ipaddr.js's; the range table and the policy
 * (which ranges are refused, and how they are named) are ours.
 */

export type IpVersion = 4 | 6;

/** An IP address as bytes (4 for IPv4, 16 for IPv6). */
export interface IpAddress {
  readonly version: IpVersion;
  readonly bytes: readonly number[];
}

export interface CidrRange {
  readonly version: IpVersion;
  readonly bytes: readonly number[];
  readonly prefix: number;
}

export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'metadata'
  | 'unspecified'
  | 'broadcast'
  | 'shared'
  | 'multicast'
  | 'reserved';

export interface AddressClass {
  readonly kind: AddressKind;
  /** The range that matched, in CIDR notation (e.g. `10.0.0.0/8`); for `public`, the address. */
  readonly range: string;
}

/** How each kind is named in messages: "must not point at a <label> (range)". */
export const ADDRESS_KIND_LABELS: Readonly<Record<AddressKind, string>> = {
  public: 'public address',
  loopback: 'loopback address',
  private: 'private address',
  'link-local': 'link-local address',
  'unique-local': 'unique-local address',
  metadata: 'cloud metadata address',
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  shared: 'carrier-grade NAT (shared) address',
  multicast: 'multicast address',
  reserved: 'reserved address',
};

// ---------------------------------------------------------------------------------------------
// Parsing (ipaddr.js)

type IpObject = ipaddr.IPv4 | ipaddr.IPv6;

function fromIpObject(ip: IpObject): IpAddress {
  return { version: ip.kind() === 'ipv4' ? 4 : 6, bytes: ip.toByteArray() };
}

function toIpObject(address: IpAddress): IpObject {
  return ipaddr.fromByteArray([...address.bytes]);
}

/**
 * IPv4 in the forms inet_aton(3) and the WHATWG URL parser accept: 1 to 4 parts, each decimal,
 * octal (leading 0) or hex (0x); the last part fills the remaining bytes (`127.1`, `2130706433`,
 * `0x7f.1`, `0177.0.0.1`). A trailing dot is tolerated. Returns undefined for anything else.
 *
 * ipaddr.js parses all of these except two spellings that both inet_aton and WHATWG accept, which
 * are rewritten first: one trailing dot (`8.8.8.8.`), and a part that is a bare `0x` (zero).
 */
export function parseIPv4(text: string): IpAddress | undefined {
  const input = text.endsWith('.') ? text.slice(0, -1) : text;
  const spelled = input
    .split('.')
    .map((part) => (/^0x$/i.test(part) ? '0' : part))
    .join('.');
  return ipaddr.IPv4.isValid(spelled) ? fromIpObject(ipaddr.IPv4.parse(spelled)) : undefined;
}

/**
 * IPv6 text (with or without brackets, optionally with an embedded dotted IPv4 tail). A zone id
 * (`fe80::1%eth0`) is dropped: the zone does not change the address's class.
 *
 * The grammar is node:net's (inet_pton's, which WHATWG's URL parser also follows): ipaddr.js alone
 * would also take a tail such as `::ffff:0177.0.0.1` (as 177.0.0.1) or `::ffff:0x7f.0.0.1`. And
 * ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`, a different address (RFC 4291 §2.5.5), so the
 * dotted tail is handed to it as two hex groups.
 */
export function parseIPv6(text: string): IpAddress | undefined {
  let input = text;
  if (input.startsWith('[') && input.endsWith(']')) input = input.slice(1, -1);
  const zone = input.indexOf('%');
  if (zone >= 0) input = input.slice(0, zone);
  if (!isIPv6(input)) return undefined;

  const lastColon = input.lastIndexOf(':');
  const tail = input.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets;
    input = `${input.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  return fromIpObject(ipaddr.IPv6.parse(input));
}

/** Any IP literal (IPv4 in every encoding, IPv6 with or without brackets), else undefined. */
export function parseIpLiteral(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.includes(':') ? parseIPv6(trimmed) : parseIPv4(trimmed);
}

/** Canonical text: dotted quad for IPv4, RFC 5952 (lower case, longest zero run as `::`) for IPv6. */
export function formatIp(address: IpAddress): string {
  return toIpObject(address).toString();
}

/** The canonical form of an IP literal, or undefined when the text is not one. */
export function canonicalIp(text: string): string | undefined {
  const address = parseIpLiteral(text);
  return address ? formatIp(address) : undefined;
}

// ---------------------------------------------------------------------------------------------
// CIDR

/** `10.0.0.0/8`, `fd00::/8`, or a single address (full-length prefix). Throws on malformed input. */
export function parseCidr(text: string): CidrRange {
  const [addressText, prefixText, ...extra] = text.trim().split('/');
  const address = extra.length === 0 ? parseStrictIp(addressText) : undefined;
  if (!address) throw new Error(`"${text}" is not an IP address or CIDR range`);
  const max = address.version === 4 ? 32 : 128;
  const prefix = prefixText ?? String(max);
  let parsed: [IpObject, number] | undefined;
  try {
    if (/^\d{1,3}$/.test(prefix)) parsed = ipaddr.parseCIDR(`${formatIp(address)}/${prefix}`);
  } catch {
    parsed = undefined;
  }
  if (!parsed) throw new Error(`"${text}" has an invalid prefix length`);
  return { ...fromIpObject(parsed[0]), prefix: parsed[1] };
}

/** Configuration and ranges use plain dotted quads / IPv6 only (no legacy encodings). */
function parseStrictIp(text: string): IpAddress | undefined {
  if (text.includes(':')) return parseIPv6(text);
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? fromIpObject(ipaddr.IPv4.parse(text)) : undefined;
}

export function cidrContains(range: CidrRange, address: IpAddress): boolean {
  if (range.version !== address.version) return false;
  return toIpObject(address).match(toIpObject(range), range.prefix);
}

export function formatCidr(range: CidrRange): string {
  return `${formatIp(range)}/${range.prefix}`;
}

/** `::a.b.c.d` (IPv4-compatible, deprecated): ::/96 without ::/112 (`::`, `::1`, `::0.0.x.y`). */
const IPV4_COMPATIBLE = parseCidr('::/96');
const NOT_IPV4_COMPATIBLE = parseCidr('::/112');

/**
 * The IPv4 address an IPv6 address stands for when it is the same host: IPv4-mapped
 * (`::ffff:a.b.c.d`) and the deprecated IPv4-compatible form (`::a.b.c.d`). Else undefined.
 */
export function embeddedIPv4(address: IpAddress): IpAddress | undefined {
  if (address.version !== 6) return undefined;
  const ip = toIpObject(address) as ipaddr.IPv6;
  if (ip.isIPv4MappedAddress()) return fromIpObject(ip.toIPv4Address());
  if (cidrContains(IPV4_COMPATIBLE, address) && !cidrContains(NOT_IPV4_COMPATIBLE, address)) {
    return { version: 4, bytes: address.bytes.slice(12) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Classification

interface Rule {
  readonly range: CidrRange;
  readonly kind: AddressKind;
}

const rules = (list: ReadonlyArray<readonly [string, AddressKind]>): Rule[] =>
  list.map(([cidr, kind]) => ({ range: parseCidr(cidr), kind }));

/** Checked in order: specific ranges (metadata) before the ranges that contain them. */
const IPV4_RULES = rules([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean… instance metadata
  ['169.254.170.2/32', 'metadata'], // AWS ECS task metadata / credentials
  ['169.254.169.123/32', 'metadata'], // AWS time sync (same service plane)
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud metadata
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud metadata
  ['168.63.129.16/32', 'metadata'], // Azure WireServer / platform host
  ['0.0.0.0/32', 'unspecified'],
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/8', 'reserved'], // "this network"
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'reserved'], // TEST-NET-1
  ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'reserved'], // TEST-NET-2
  ['203.0.113.0/24', 'reserved'], // TEST-NET-3
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
]);

const IPV6_RULES = rules([
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'reserved'], // Teredo
  ['2001:2::/48', 'reserved'], // benchmarking
  ['2001:10::/28', 'reserved'], // ORCHID
  ['2001:20::/28', 'reserved'], // ORCHIDv2
  ['2001:db8::/32', 'reserved'], // documentation
  ['3fff::/20', 'reserved'], // documentation
  ['5f00::/16', 'reserved'], // SRv6 SIDs
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // site-local (deprecated)
  ['ff00::/8', 'multicast'],
]);

/**
 * The well-known NAT64 prefix only: ipaddr.js's `rfc6052` range also holds the local-use
 * 64:ff9b:1::/48, where the IPv4 address need not sit in the last 32 bits (that one is a rule above).
 */
const NAT64 = parseCidr('64:ff9b::/96');
const GLOBAL_UNICAST = parseCidr('2000::/3');

/** The IPv4 address a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address carries. Else undefined. */
function translatedIPv4(address: IpAddress): IpAddress | undefined {
  if (cidrContains(NAT64, address)) return { version: 4, bytes: address.bytes.slice(12) };
  if (toIpObject(address).range() === '6to4') return { version: 4, bytes: address.bytes.slice(2, 6) };
  return undefined;
}

/**
 * What kind of address this is. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are classified by that IPv4 address alone, so `::ffff:127.0.0.1`
 * is loopback and `64:ff9b::808:808` is public. IPv6 outside 2000::/3 that no rule names is reserved.
 */
export function classifyAddress(address: IpAddress): AddressClass {
  if (address.version === 6) {
    const embedded = embeddedIPv4(address) ?? translatedIPv4(address);
    if (embedded) {
      const inner = classifyAddress(embedded);
      return inner.kind === 'public' ? { kind: 'public', range: formatIp(address) } : inner;
    }
  }
  const list = address.version === 4 ? IPV4_RULES : IPV6_RULES;
  for (const rule of list) {
    if (cidrContains(rule.range, address)) return { kind: rule.kind, range: formatCidr(rule.range) };
  }
  if (address.version === 6 && !cidrContains(GLOBAL_UNICAST, address)) {
    return { kind: 'reserved', range: 'outside 2000::/3' };
  }
  return { kind: 'public', range: formatIp(address) };
}

// ---------------------------------------------------------------------------------------------
// Host names

/** A DNS host name (LDH labels; `_` tolerated as some private zones use it), lower case, no trailing dot. */
export function normaliseHostname(text: string): string | undefined {
  let name = text.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return undefined;
  const labels = name.split('.');
  const label = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
  return labels.every((l) => label.test(l)) ? name : undefined;
}

/** Names that always mean this machine or the cloud's metadata service, whatever DNS says. */
export function classifySpecialHostname(hostname: string): AddressClass | undefined {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return { kind: 'loopback', range: 'localhost' };
  if (hostname === 'metadata.google.internal' || hostname === 'metadata.goog') {
    return { kind: 'metadata', range: hostname };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Which credential values name a place a worker connects to

/**
 * What a credential value is, as far as outbound requests go:
 * - `url`: an absolute http(s) URL the worker calls;
 * - `host`: a bare host name or IP address the worker connects to (SMTP, SMPP/HTTP gateways);
 * - `region`: a region code a worker splices into a host name (`https://<region>.sms.api.sinch.com`,
 *   `email.<region>.amazonaws.com`), so it must stay one lower-case DNS label: anything else
 *   (`169.254.169.254/#`, `evil.example#`, `a.b`) would move the request to another host;
 * - `host-label`: an id spliced into a host name the same way (Pusher Beams
 *   `<instanceId>.pushnotifications.pusher.com`); one DNS label of up to 63 characters;
 * - `azure-connection-string`: `endpoint=https://…;accesskey=…`; its endpoint is an outbound URL.
 */
export type OutboundValueKind = 'url' | 'host' | 'region' | 'host-label' | 'azure-connection-string';

/**
 * Keys with the same meaning for every provider. A key is checked even for a provider that does
 * not declare it: a stored value outlives the catalog version that judged it.
 */
export const OUTBOUND_KEYS_FOR_EVERY_PROVIDER: Readonly<Record<string, OutboundValueKind>> = {
  baseUrl: 'url',
  webhookUrl: 'url',
  redirectUrl: 'url',
  apiURL: 'url',
  AppIOBaseUrl: 'url',
  host: 'host',
  region: 'region',
  instanceId: 'host-label',
};

/**
 * Keys whose meaning depends on the provider. `domain` is generic-sms's authentication URL, but
 * Mailgun's sending domain (a path segment of api.mailgun.net) and nodemailer's DKIM domain;
 * `accessKey` is Azure's connection string, but MessageBird's plain key.
 */
export const OUTBOUND_KEYS_BY_PROVIDER: Readonly<Record<string, Readonly<Record<string, OutboundValueKind>>>> = {
  'generic-sms': { domain: 'url' },
  'azure-sms': { accessKey: 'azure-connection-string' },
};

/** The outbound kind of a provider's credential key, or undefined when it names no address. */
export function outboundValueKind(providerId: string, key: string): OutboundValueKind | undefined {
  const own = OUTBOUND_KEYS_BY_PROVIDER[providerId];
  if (own && Object.hasOwn(own, key)) return own[key];
  return Object.hasOwn(OUTBOUND_KEYS_FOR_EVERY_PROVIDER, key) ? OUTBOUND_KEYS_FOR_EVERY_PROVIDER[key] : undefined;
}

/** AWS (`us-east-1`, `us-gov-west-1`), Sinch (`us`, `eu`), SendGrid/SparkPost (`eu`): one label. */
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** One DNS label (RFC 1035 length); DNS ignores case, so upper case cannot change the host. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Whether a region code stays one DNS label when spliced into a host name. */
export function isRegionCode(text: string): boolean {
  return REGION.test(text);
}

/** Whether an id stays one DNS label when spliced into a host name. */
export function isHostLabel(text: string): boolean {
  return HOST_LABEL.test(text);
}

/**
 * Every endpoint an Azure connection string could be read as. Parsers differ (some split on `;`,
 * Azure's JavaScript SDK takes everything between `endpoint=` and `;accesskey=`), so each reading
 * is returned and each must be safe. Linear in the length: no regex backtracking on caller input.
 */
export function azureConnectionStringEndpoints(text: string): string[] {
  const endpoints = new Set<string>();
  for (const segment of text.split(';')) {
    const equals = segment.indexOf('=');
    if (equals > 0 && segment.slice(0, equals).trim().toLowerCase() === 'endpoint') {
      endpoints.add(segment.slice(equals + 1).trim());
    }
  }
  const lower = text.toLowerCase();
  const start = lower.indexOf('endpoint=');
  const end = lower.lastIndexOf(';accesskey=');
  if (start >= 0 && end > start) endpoints.add(text.slice(start + 'endpoint='.length, end).trim());
  return [...endpoints];
}
