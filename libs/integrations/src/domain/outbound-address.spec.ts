import {
  canonicalIp,
  cidrContains,
  classifyAddress,
  classifySpecialHostname,
  embeddedIPv4,
  normaliseHostname,
  parseCidr,
  parseIpLiteral,
} from './outbound-address';

const classify = (text: string) => {
  const address = parseIpLiteral(text);
  if (!address) throw new Error(`not an IP: ${text}`);
  return classifyAddress(address);
};

describe('outbound addresses', () => {
  describe('parseIpLiteral / canonicalIp', () => {
    it.each([
      ['127.0.0.1', '127.0.0.1'],
      ['2130706433', '127.0.0.1'],
      ['0x7f000001', '127.0.0.1'],
      ['0x7f.1', '127.0.0.1'],
      ['0177.0.0.1', '127.0.0.1'],
      ['0177.0.0.01', '127.0.0.1'],
      ['127.1', '127.0.0.1'],
      ['10.1.258', '10.1.1.2'],
      ['017700000001', '127.0.0.1'],
      ['0', '0.0.0.0'],
      ['8.8.8.8.', '8.8.8.8'],
      ['::1', '::1'],
      ['[::1]', '::1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['::ffff:127.0.0.1', '::ffff:7f00:1'],
      ['[::ffff:7f00:1]', '::ffff:7f00:1'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['fe80::1%eth0', 'fe80::1'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      // spellings ipaddr.js reads differently from inet_aton / inet_pton / WHATWG on its own
      ['0x', '0.0.0.0'],
      ['0x.0X.0x.0x', '0.0.0.0'],
      ['0X7F.1', '127.0.0.1'],
      ['0x0000000000000007f.1', '127.0.0.1'],
      ['0xffffffff', '255.255.255.255'],
      ['::1.2.3.4', '::102:304'],
      ['::1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'],
      ['fe80::1%eth0.1', 'fe80::1'],
    ])('%s → %s', (input, canonical) => {
      expect(canonicalIp(input)).toBe(canonical);
    });

    it.each([
      '',
      'localhost',
      'example.com',
      '256.1.1.1',
      '1.2.3.4.5',
      '4294967296',
      '09.1.1.1',
      '1.2.3.0x',
      ':::1',
      '1::2::3',
      'gggg::1',
      '1.0x1000000',
      '1.2.0x10000',
      '0x100000000',
      '::ffff:0177.0.0.1',
      '::ffff:0x7f.0.0.1',
      '::ffff:1.2.3',
      '1:2:3:4:5:6:7:8:',
      '1..1',
    ])('%s is not an IP literal', (input) => {
      if (input === '1.2.3.0x') {
        // "0x" alone is hexadecimal zero for inet_aton and WHATWG alike
        expect(canonicalIp(input)).toBe('1.2.3.0');
        return;
      }
      expect(canonicalIp(input)).toBeUndefined();
    });
  });

  describe('agrees with the WHATWG URL parser', () => {
    /** What `new URL` makes of a host: its canonical IP, or undefined when it is no IP literal. */
    const whatwgIp = (host: string, version: 4 | 6): string | undefined => {
      try {
        const hostname = new URL(`http://${version === 6 ? `[${host}]` : host}/`).hostname;
        if (version === 6) return hostname.slice(1, -1);
        return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? hostname : undefined;
      } catch {
        return undefined;
      }
    };
    const disagreements = (hosts: string[], version: 4 | 6) =>
      hosts
        .map((host) => ({ host, ours: canonicalIp(host), whatwg: whatwgIp(host, version) }))
        .filter(({ ours, whatwg }) => ours !== whatwg);

    it('on every IPv4 spelling of up to four parts (decimal, octal, hex, bare 0x, trailing dot)', () => {
      const parts = [
        '',
        '0',
        '00',
        '08',
        '0x',
        '0X',
        '0x7f',
        '0XFF',
        '0x100',
        '1',
        '127',
        '255',
        '256',
        '0177',
        '0377',
        '0400',
        '65535',
        '65536',
        '16777215',
        '16777216',
        '4294967295',
        '4294967296',
        '0xffffffff',
        '0x100000000',
        'a',
      ];
      const short = ['', '0', '0x', '0x7f', '1', '08', '255', '256', '0177', '0400'];
      const hosts: string[] = [];
      for (const a of parts) {
        hosts.push(a);
        for (const b of parts) {
          hosts.push(`${a}.${b}`);
          for (const c of parts) hosts.push(`${a}.${b}.${c}`);
        }
      }
      for (const a of short) for (const b of short) for (const c of short) for (const d of short) hosts.push(`${a}.${b}.${c}.${d}`);
      const withDots = [...hosts, ...hosts.map((host) => `${host}.`)].filter((host) => host !== '' && host !== '.');
      expect(disagreements(withDots, 4)).toEqual([]);
      // the set is not vacuous: thousands of these are IPv4 literals
      expect(withDots.filter((host) => canonicalIp(host) !== undefined).length).toBeGreaterThan(5000);
    });

    it('on generated IPv6 texts (groups, compression, dotted tails with legacy spellings)', () => {
      let seed = 42;
      const next = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const groups = ['', '', '0', '1', 'ffff', '0000', 'FfFf', '10000', 'g', '00001', 'abc'];
      const tails = ['1.2.3.4', '0177.0.0.1', '0x7f.0.0.1', '127.0.0.1', '1.2.3', '256.0.0.1', '01.2.3.4', '0.0.0.0'];
      const hosts: string[] = [];
      for (let i = 0; i < 30000; i++) {
        const pieces = Array.from({ length: 1 + next(10) }, () => groups[next(groups.length)]);
        if (next(3) === 0) pieces.push(tails[next(tails.length)]);
        if (pieces.length > 1) hosts.push(pieces.join(':'));
      }
      for (const prefix of [
        '::',
        '::ffff:',
        '::FFFF:',
        '::0:ffff:',
        '::1:',
        '1::',
        '64:ff9b::',
        '1:2:3:4:5:6:',
        '1:2:3:4:5::',
        ':',
        '::ffff::',
      ]) {
        for (const tail of tails) hosts.push(`${prefix}${tail}`);
      }
      expect(disagreements(hosts, 6)).toEqual([]);
      expect(hosts.filter((host) => canonicalIp(host) !== undefined).length).toBeGreaterThan(1000);
    });
  });

  describe('classifyAddress', () => {
    it.each([
      ['127.0.0.1', 'loopback', '127.0.0.0/8'],
      ['127.255.255.254', 'loopback', '127.0.0.0/8'],
      ['10.0.0.1', 'private', '10.0.0.0/8'],
      ['172.16.0.1', 'private', '172.16.0.0/12'],
      ['172.31.255.255', 'private', '172.16.0.0/12'],
      ['192.168.1.1', 'private', '192.168.0.0/16'],
      ['169.254.169.254', 'metadata', '169.254.169.254/32'],
      ['169.254.170.2', 'metadata', '169.254.170.2/32'],
      ['100.100.100.200', 'metadata', '100.100.100.200/32'],
      ['169.254.1.1', 'link-local', '169.254.0.0/16'],
      ['100.64.0.1', 'shared', '100.64.0.0/10'],
      ['0.0.0.0', 'unspecified', '0.0.0.0/32'],
      ['0.1.2.3', 'reserved', '0.0.0.0/8'],
      ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
      ['224.0.0.1', 'multicast', '224.0.0.0/4'],
      ['240.0.0.1', 'reserved', '240.0.0.0/4'],
      ['192.0.2.1', 'reserved', '192.0.2.0/24'],
      ['198.18.0.1', 'reserved', '198.18.0.0/15'],
      ['::', 'unspecified', '::/128'],
      ['::1', 'loopback', '::1/128'],
      ['::ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
      ['::ffff:169.254.169.254', 'metadata', '169.254.169.254/32'],
      ['::127.0.0.1', 'loopback', '127.0.0.0/8'],
      ['64:ff9b::a00:1', 'private', '10.0.0.0/8'],
      ['2002:a9fe:a9fe::1', 'metadata', '169.254.169.254/32'],
      ['fd00:ec2::254', 'metadata', 'fd00:ec2::254/128'],
      ['fc00::1', 'unique-local', 'fc00::/7'],
      ['fd12:3456::1', 'unique-local', 'fc00::/7'],
      ['fe80::1', 'link-local', 'fe80::/10'],
      ['ff02::1', 'multicast', 'ff00::/8'],
      ['2001:db8::1', 'reserved', '2001:db8::/32'],
      ['100::1', 'reserved', '100::/64'],
    ])('%s is %s (%s)', (address, kind, range) => {
      expect(classify(address)).toEqual({ kind, range });
    });

    it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
      '%s is public',
      (address) => {
        expect(classify(address).kind).toBe('public');
      },
    );
  });

  describe('CIDR', () => {
    it('matches IPv4 and IPv6 ranges and single addresses', () => {
      expect(cidrContains(parseCidr('10.20.0.0/16'), parseIpLiteral('10.20.3.4')!)).toBe(true);
      expect(cidrContains(parseCidr('10.20.0.0/16'), parseIpLiteral('10.21.0.1')!)).toBe(false);
      expect(cidrContains(parseCidr('127.0.0.1'), parseIpLiteral('127.0.0.1')!)).toBe(true);
      expect(cidrContains(parseCidr('127.0.0.1'), parseIpLiteral('127.0.0.2')!)).toBe(false);
      expect(cidrContains(parseCidr('fd12::/16'), parseIpLiteral('fd12:1::1')!)).toBe(true);
      expect(cidrContains(parseCidr('10.0.0.0/8'), parseIpLiteral('::ffff:10.0.0.1')!)).toBe(false);
      expect(cidrContains(parseCidr('0.0.0.0/0'), parseIpLiteral('8.8.8.8')!)).toBe(true);
      expect(cidrContains(parseCidr('172.16.0.0/12'), parseIpLiteral('172.31.0.1')!)).toBe(true);
      expect(cidrContains(parseCidr('172.16.0.0/12'), parseIpLiteral('172.32.0.1')!)).toBe(false);
    });

    it.each(['10.0.0.0/33', '::/129', '010.0.0.1', 'example.com/8', '10.0.0.0/8/1', '10.0.0.0/x', '0x7f.1'])('refuses %s', (text) => {
      expect(() => parseCidr(text)).toThrow();
    });
  });

  it('finds the IPv4 address inside mapped and compatible IPv6 addresses', () => {
    expect(embeddedIPv4(parseIpLiteral('::ffff:1.2.3.4')!)?.bytes).toEqual([1, 2, 3, 4]);
    expect(embeddedIPv4(parseIpLiteral('::1.2.3.4')!)?.bytes).toEqual([1, 2, 3, 4]);
    expect(embeddedIPv4(parseIpLiteral('::1')!)).toBeUndefined();
    expect(embeddedIPv4(parseIpLiteral('2001:db8::1')!)).toBeUndefined();
  });

  it('normalises host names and recognises special names', () => {
    expect(normaliseHostname('API.Example.COM.')).toBe('api.example.com');
    expect(normaliseHostname('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(normaliseHostname('bad host')).toBeUndefined();
    expect(normaliseHostname('-bad.example')).toBeUndefined();
    expect(normaliseHostname('a..b')).toBeUndefined();
    expect(normaliseHostname('smtp.example.com:25')).toBeUndefined();
    expect(classifySpecialHostname('localhost')?.kind).toBe('loopback');
    expect(classifySpecialHostname('app.localhost')?.kind).toBe('loopback');
    expect(classifySpecialHostname('metadata.google.internal')?.kind).toBe('metadata');
    expect(classifySpecialHostname('example.com')).toBeUndefined();
  });
});
