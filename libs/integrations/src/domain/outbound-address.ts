import { isIPv4, isIPv6 } from 'node:net';

/**
 * Pure address rules for outbound requests (spec §3 step 5): parse IP literals in every encoding a
 * resolver or URL parser accepts, classify them, and match them against CIDR ranges. No networking.
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
// Parsing

const IPV4_PART = /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i;

/**
 * IPv4 in the forms inet_aton(3) and the WHATWG URL parser accept: 1 to 4 parts, each decimal,
 * octal (leading 0) or hex (0x); the last part fills the remaining bytes (`127.1`, `2130706433`,
 * `0x7f.1`, `0177.0.0.1`). A trailing dot is tolerated. Returns undefined for anything else.
 */
export function parseIPv4(text: string): IpAddress | undefined {
  let input = text;
  if (input.endsWith('.')) input = input.slice(0, -1);
  if (input === '') return undefined;
  const parts = input.split('.');
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    let value: number;
    if (/^0x/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (part.length > 1 && part.startsWith('0')) value = parseInt(part.slice(1), 8);
    else value = parseInt(part, 10);
    if (!Number.isFinite(value)) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return undefined;
  const lastBytes = 4 - numbers.length;
  if (last >= 256 ** lastBytes) return undefined;
  const bytes = [...numbers];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return { version: 4, bytes };
}

/**
 * IPv6 text (with or without brackets, optionally with an embedded dotted IPv4 tail). A zone id
 * (`fe80::1%eth0`) is dropped: the zone does not change the address's class.
 */
export function parseIPv6(text: string): IpAddress | undefined {
  let input = text;
  if (input.startsWith('[') && input.endsWith(']')) input = input.slice(1, -1);
  const zone = input.indexOf('%');
  if (zone >= 0) input = input.slice(0, zone);
  if (!isIPv6(input)) return undefined;

  const lastColon = input.lastIndexOf(':');
  const dotted = input.slice(lastColon + 1);
  if (dotted.includes('.')) {
    const v4 = dotted.split('.').map((p) => parseInt(p, 10));
    input = `${input.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const double = input.indexOf('::');
  const toGroups = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = toGroups(double >= 0 ? input.slice(0, double) : input);
  const right = double >= 0 ? toGroups(input.slice(double + 2)) : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (double < 0 && missing !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  const bytes: number[] = [];
  for (const g of groups) bytes.push((g >> 8) & 0xff, g & 0xff);
  return { version: 6, bytes };
}

/** Any IP literal (IPv4 in every encoding, IPv6 with or without brackets), else undefined. */
export function parseIpLiteral(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.includes(':') ? parseIPv6(trimmed) : parseIPv4(trimmed);
}

/** Canonical text: dotted quad for IPv4, RFC 5952 (lower case, longest zero run as `::`) for IPv6. */
export function formatIp(address: IpAddress): string {
  if (address.version === 4) return address.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((address.bytes[i] << 8) | address.bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
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
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${text}" has an invalid prefix length`);
  return { version: address.version, bytes: address.bytes, prefix };
}

/** Configuration and ranges use plain dotted quads / IPv6 only (no legacy encodings). */
function parseStrictIp(text: string): IpAddress | undefined {
  if (text.includes(':')) return parseIPv6(text);
  return isIPv4(text) ? parseIPv4(text) : undefined;
}

export function cidrContains(range: CidrRange, address: IpAddress): boolean {
  if (range.version !== address.version) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i] & mask) !== (address.bytes[i] & mask)) return false;
  }
  return true;
}

export function formatCidr(range: CidrRange): string {
  return `${formatIp(range)}/${range.prefix}`;
}

/**
 * The IPv4 address an IPv6 address stands for when it is the same host: IPv4-mapped
 * (`::ffff:a.b.c.d`) and the deprecated IPv4-compatible form (`::a.b.c.d`). Else undefined.
 */
export function embeddedIPv4(address: IpAddress): IpAddress | undefined {
  if (address.version !== 6) return undefined;
  const b = address.bytes;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return { version: 4, bytes: b.slice(12) };
  if (zeros(0, 12) && !zeros(12, 14)) return { version: 4, bytes: b.slice(12) };
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

const NAT64 = parseCidr('64:ff9b::/96');
const SIX_TO_FOUR = parseCidr('2002::/16');
const GLOBAL_UNICAST = parseCidr('2000::/3');

/**
 * What kind of address this is. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are classified by that IPv4 address alone, so `::ffff:127.0.0.1`
 * is loopback and `64:ff9b::808:808` is public. IPv6 outside 2000::/3 that no rule names is reserved.
 */
export function classifyAddress(address: IpAddress): AddressClass {
  if (address.version === 6) {
    const embedded =
      embeddedIPv4(address) ??
      (cidrContains(NAT64, address) ? { version: 4 as const, bytes: address.bytes.slice(12) } : undefined) ??
      (cidrContains(SIX_TO_FOUR, address) ? { version: 4 as const, bytes: address.bytes.slice(2, 6) } : undefined);
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
