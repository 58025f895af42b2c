import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { HostResolver } from '../../application/ports/host-resolver';

/**
 * The system resolver (getaddrinfo: /etc/hosts, then DNS), the same one Node's sockets use, so the
 * addresses checked are the addresses a connection would reach.
 */
@Injectable()
export class DnsHostResolver extends HostResolver {
  async resolve(hostname: string): Promise<string[]> {
    const results = await lookup(hostname, { all: true, verbatim: true });
    return results.map((r) => r.address);
  }
}
