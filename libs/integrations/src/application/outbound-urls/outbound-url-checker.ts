import { Inject, Injectable } from '@nestjs/common';
import { Credentials } from '../../domain/integration';
import { FieldProblems } from '../../domain/integration.errors';
import {
  ADDRESS_KIND_LABELS,
  AddressClass,
  azureConnectionStringEndpoints,
  CidrRange,
  cidrContains,
  classifyAddress,
  classifySpecialHostname,
  embeddedIPv4,
  formatIp,
  IpAddress,
  isHostLabel,
  isRegionCode,
  normaliseHostname,
  OutboundValueKind,
  outboundValueKind,
  parseCidr,
  parseIpLiteral,
} from '../../domain/outbound-address';
import { INTEGRATIONS_MODULE_OPTIONS, IntegrationsModuleOptions } from '../../integrations.module-definition';
import { HostResolver } from '../ports/host-resolver';
import { OutboundUrlPolicy } from '../ports/outbound-url-policy';

const DEFAULT_DNS_TIMEOUT_MS = 3000;

/** The verdict on one host (a name or an IP literal). */
export type HostVetting =
  /** Safe. `addresses`: canonical IPs to connect to (empty when a tolerated name did not resolve). */
  | { readonly outcome: 'allowed'; readonly addresses: readonly string[] }
  /** The text is neither a valid host name nor an IP literal. */
  | { readonly outcome: 'invalid' }
  /** The name does not resolve (or not in time). */
  | { readonly outcome: 'unresolvable' }
  /** The host is, or resolves to, an internal address. `viaName`: it was a name, not a literal. */
  | { readonly outcome: 'forbidden'; readonly address: AddressClass; readonly viaName: boolean };

/** A malformed `outboundUrls` option; stops start-up. */
export class OutboundUrlsConfigError extends Error {
  constructor(message: string) {
    super(`Invalid integrations outboundUrls option: ${message}`);
    this.name = 'OutboundUrlsConfigError';
  }
}

interface AllowList {
  readonly names: ReadonlySet<string>;
  /** `*.example.com` stored as `.example.com`. */
  readonly suffixes: readonly string[];
  readonly ranges: readonly CidrRange[];
}

/**
 * The outbound URL policy: which credential keys are URLs or hosts, and whether each one is safe.
 * Literals are classified directly (every IPv4 encoding, IPv6 incl. IPv4-mapped); names are
 * resolved and every address they resolve to must be public or allow-listed.
 *
 * `vetHost` is also what the credentials verifiers call right before connecting (resolve, check,
 * then connect to the checked address), so the check and the connection see the same address.
 */
@Injectable()
export class OutboundUrlChecker extends OutboundUrlPolicy {
  private readonly allow: AllowList;
  private readonly refuseUnresolvable: boolean;
  private readonly dnsTimeoutMs: number;

  constructor(
    private readonly resolver: HostResolver,
    @Inject(INTEGRATIONS_MODULE_OPTIONS) options: Pick<IntegrationsModuleOptions, 'outboundUrls'>,
  ) {
    super();
    const config = options?.outboundUrls ?? {};
    this.allow = parseAllowList(config.allow ?? []);
    this.refuseUnresolvable = config.refuseUnresolvable ?? false;
    this.dnsTimeoutMs = config.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  }

  async check(providerId: string, credentials: Credentials): Promise<FieldProblems> {
    const problems: FieldProblems = {};
    const entries = Object.entries(credentials ?? {});
    await Promise.all(
      entries.map(async ([key, value]) => {
        const kind = outboundValueKind(providerId, key);
        if (!kind) return;
        const path = `credentials.${key}`;
        const message = await this.checkValue(kind, path, value);
        if (message) {
          // Only a bare host is echoed: URLs often carry a token in their path or query, a
          // connection string carries the access key, and a refused region or label may be long
          problems[path] = { messages: [message], ...(kind === 'host' ? { value } : {}) };
        }
      }),
    );
    return problems;
  }

  private async checkValue(kind: OutboundValueKind, path: string, value: unknown): Promise<string | undefined> {
    switch (kind) {
      case 'url':
        return this.checkUrl(path, value);
      case 'host':
        return this.checkHost(path, value);
      case 'region':
        return checkLabel(
          path,
          value,
          isRegionCode,
          'a region code: lower-case letters, digits and inner hyphens, at most 32 characters (e.g. us-east-1)',
        );
      case 'host-label':
        return checkLabel(path, value, isHostLabel, 'one DNS label: letters, digits and inner hyphens, at most 63 characters');
      case 'azure-connection-string':
        return this.checkAzureConnectionString(path, value);
    }
  }

  /**
   * An Azure connection string (`endpoint=https://<resource>.communication.azure.com/;accesskey=…`):
   * every endpoint it could be read as must be a safe URL. A value without an endpoint is left
   * alone: the SDK refuses it before connecting anywhere.
   */
  private async checkAzureConnectionString(path: string, value: unknown): Promise<string | undefined> {
    if (typeof value !== 'string' || value === '') return undefined;
    for (const endpoint of azureConnectionStringEndpoints(value)) {
      const message = await this.checkUrl(`${path} endpoint`, endpoint);
      if (message) return message;
    }
    return undefined;
  }

  /** Whether a host (name or IP literal, brackets allowed) is safe, with the addresses it reaches. */
  async vetHost(host: string): Promise<HostVetting> {
    const literal = parseIpLiteral(host.trim());
    if (literal) return this.vetAddress(literal, false);

    const name = normaliseHostname(host);
    if (!name) return { outcome: 'invalid' };
    const allowedByName = this.nameAllowed(name);
    const special = classifySpecialHostname(name);
    if (special && !allowedByName) return { outcome: 'forbidden', address: special, viaName: true };

    let resolved: string[];
    try {
      resolved = await this.resolve(name);
    } catch {
      return allowedByName ? { outcome: 'allowed', addresses: [] } : { outcome: 'unresolvable' };
    }
    const addresses: IpAddress[] = [];
    for (const text of resolved) {
      const address = parseIpLiteral(text);
      if (address) addresses.push(address);
    }
    if (addresses.length === 0) {
      return allowedByName ? { outcome: 'allowed', addresses: [] } : { outcome: 'unresolvable' };
    }
    if (!allowedByName) {
      for (const address of addresses) {
        const verdict = this.vetAddress(address, true);
        if (verdict.outcome !== 'allowed') return verdict;
      }
    }
    return { outcome: 'allowed', addresses: [...new Set(addresses.map(formatIp))] };
  }

  private vetAddress(address: IpAddress, viaName: boolean): HostVetting {
    const canonical = formatIp(address);
    if (this.addressAllowed(address)) return { outcome: 'allowed', addresses: [canonical] };
    const addressClass = classifyAddress(address);
    if (addressClass.kind !== 'public') return { outcome: 'forbidden', address: addressClass, viaName };
    return { outcome: 'allowed', addresses: [canonical] };
  }

  private async checkUrl(path: string, value: unknown): Promise<string | undefined> {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return `${path} must be an http(s) URL`;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      return `${path} must be an absolute http(s) URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `${path} must use http or https, not "${url.protocol.slice(0, -1)}"`;
    }
    if (url.username !== '' || url.password !== '') {
      return `${path} must not contain credentials (user:password@)`;
    }
    if (url.hostname === '') return `${path} must name a host`;
    return this.describe(path, url.hostname, await this.vetHost(url.hostname));
  }

  private async checkHost(path: string, value: unknown): Promise<string | undefined> {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return `${path} must be a host name or IP address`;
    return this.describe(path, value.trim(), await this.vetHost(value));
  }

  private describe(path: string, host: string, verdict: HostVetting): string | undefined {
    switch (verdict.outcome) {
      case 'allowed':
        return undefined;
      case 'invalid':
        return `${path} must be a host name or IP address`;
      case 'unresolvable':
        return this.refuseUnresolvable ? `${path} host ${host} cannot be resolved` : undefined;
      case 'forbidden': {
        const rule = `${path} must not point at a ${ADDRESS_KIND_LABELS[verdict.address.kind]} (${verdict.address.range})`;
        // the resolved address itself is not shown: it would map the internal network for the caller
        return verdict.viaName && verdict.address.range !== host ? `${rule}; ${host} resolves to one` : rule;
      }
    }
  }

  private nameAllowed(name: string): boolean {
    return this.allow.names.has(name) || this.allow.suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Allow-listed addresses; an IPv4-mapped IPv6 address is the same host as its IPv4 address. */
  private addressAllowed(address: IpAddress): boolean {
    const forms = [address, embeddedIPv4(address)].filter((a): a is IpAddress => a !== undefined);
    return forms.some((form) => this.allow.ranges.some((range) => cidrContains(range, form)));
  }

  private resolve(name: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('DNS lookup timed out')), this.dnsTimeoutMs);
      timer.unref?.();
    });
    return Promise.race([this.resolver.resolve(name), timeout]).finally(() => clearTimeout(timer));
  }
}

function parseAllowList(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const ranges: CidrRange[] = [];
  for (const raw of entries) {
    const entry = String(raw).trim();
    if (entry.includes('/') || parseIpLiteral(entry)?.version === 6 || /^[\d.]+$/.test(entry)) {
      try {
        ranges.push(parseCidr(entry.replace(/^\[(.*)\]$/, '$1')));
      } catch (error) {
        throw new OutboundUrlsConfigError(`allow entry ${(error as Error).message}`);
      }
      continue;
    }
    const wildcard = entry.startsWith('*.');
    const name = normaliseHostname(wildcard ? entry.slice(2) : entry);
    if (!name) throw new OutboundUrlsConfigError(`allow entry "${entry}" is not a host name, IP address or CIDR range`);
    if (wildcard) suffixes.push(`.${name}`);
    else names.add(name);
  }
  return { names, suffixes, ranges };
}

/** A region code or host label: checked by shape alone, nothing is resolved. */
function checkLabel(path: string, value: unknown, valid: (text: string) => boolean, shape: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && valid(value)) return undefined;
  return `${path} must be ${shape}`;
}
