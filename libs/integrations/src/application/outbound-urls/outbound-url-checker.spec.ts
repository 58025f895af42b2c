import { Credentials } from '../../domain/integration';
import { HostResolver } from '../ports/host-resolver';
import { OutboundUrlChecker, OutboundUrlsConfigError } from './outbound-url-checker';

/** DNS under the test's control: names map to addresses; unknown names do not resolve. */
class FakeHostResolver extends HostResolver {
  readonly asked: string[] = [];
  constructor(private readonly zone: Record<string, string[]>) {
    super();
  }
  async resolve(hostname: string): Promise<string[]> {
    this.asked.push(hostname);
    const addresses = this.zone[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses;
  }
}

const zone: Record<string, string[]> = {
  'api.example.com': ['93.184.216.34'],
  'dual.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'intranet.example.com': ['10.1.2.3'],
  'sneaky.example.com': ['93.184.216.34', '192.168.0.10'],
  'metadata.example.com': ['169.254.169.254'],
  'v6-loopback.example.com': ['::1'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'ula.example.com': ['fd00::1'],
  'cgnat.example.com': ['100.64.1.1'],
  'smtp.corp.example': ['10.9.9.9'],
  'mail.partner.example': ['172.20.0.5'],
  'db.partner.example': ['172.20.0.6'],
  'gw.lab.example': ['10.20.1.1'],
  'zero.example.com': ['0.0.0.0'],
};

const allow = ['smtp.corp.example', '*.partner.example', '10.20.0.0/16', '127.0.0.53', 'fd12::/16'];

function checker(options: { allow?: string[]; refuseUnresolvable?: boolean } = { allow }) {
  return new OutboundUrlChecker(new FakeHostResolver(zone), { outboundUrls: options });
}

type Case = [label: string, providerId: string, credentials: Credentials, expected: Record<string, string> | 'ok'];

// expected: property path → a fragment of its message; 'ok' = no problems
const cases: Case[] = [
  // allowed
  ['public https URL by name', 'generic-sms', { baseUrl: 'https://api.example.com/v1' }, 'ok'],
  ['public http URL with port', 'generic-sms', { baseUrl: 'http://api.example.com:8080/send' }, 'ok'],
  ['dual-stack name, all public', 'generic-sms', { baseUrl: 'https://dual.example.com' }, 'ok'],
  ['public IPv4 literal', 'generic-sms', { baseUrl: 'https://8.8.8.8/' }, 'ok'],
  ['public IPv6 literal', 'email-webhook', { webhookUrl: 'https://[2606:4700::1111]/hook' }, 'ok'],
  ['IPv4-mapped public address', 'email-webhook', { webhookUrl: 'http://[::ffff:8.8.8.8]/' }, 'ok'],
  ['public redirectUrl', 'slack', { redirectUrl: 'https://api.example.com/oauth' }, 'ok'],
  ['public SMTP host name', 'nodemailer', { host: 'api.example.com', port: '587' }, 'ok'],
  ['public SMTP host literal', 'nodemailer', { host: '8.8.4.4' }, 'ok'],
  ['kannel public host', 'kannel', { host: 'api.example.com', port: '13013' }, 'ok'],
  ['unresolvable name is tolerated by default', 'generic-sms', { baseUrl: 'https://nowhere.example.net' }, 'ok'],
  ['empty URL is left to the required-keys rule', 'generic-sms', { baseUrl: '' }, 'ok'],
  ['keys that are not URLs are ignored', 'grafana-on-call', { imageUrl: 'http://127.0.0.1/x.png', apiKey: 'http://10.0.0.1' }, 'ok'],
  ['allow-list: exact host name resolving privately', 'nodemailer', { host: 'smtp.corp.example' }, 'ok'],
  ['allow-list: host name is case-insensitive, trailing dot', 'nodemailer', { host: 'SMTP.Corp.Example.' }, 'ok'],
  ['allow-list: wildcard suffix', 'generic-sms', { baseUrl: 'https://mail.partner.example/api' }, 'ok'],
  ['allow-list: CIDR range via DNS', 'generic-sms', { baseUrl: 'http://gw.lab.example' }, 'ok'],
  ['allow-list: CIDR range literal', 'generic-sms', { baseUrl: 'http://10.20.3.4:9000' }, 'ok'],
  ['allow-list: single address', 'nodemailer', { host: '127.0.0.53', port: '2525' }, 'ok'],
  ['allow-list: single address, IPv4-mapped form', 'generic-sms', { baseUrl: 'http://[::ffff:127.0.0.53]:8080' }, 'ok'],
  ['allow-list: IPv6 range', 'push-webhook', { webhookUrl: 'http://[fd12::5]/' }, 'ok'],

  // refused: encodings of loopback and friends
  [
    'loopback literal',
    'generic-sms',
    { baseUrl: 'http://127.0.0.2/' },
    { 'credentials.baseUrl': 'must not point at a loopback address (127.0.0.0/8)' },
  ],
  ['decimal IPv4', 'generic-sms', { baseUrl: 'http://2130706433/' }, { 'credentials.baseUrl': 'loopback address (127.0.0.0/8)' }],
  ['hex+short IPv4', 'generic-sms', { baseUrl: 'http://0x7f.1/' }, { 'credentials.baseUrl': 'loopback address' }],
  ['octal IPv4', 'generic-sms', { baseUrl: 'http://0177.0.0.1/' }, { 'credentials.baseUrl': 'loopback address' }],
  [
    'IPv4-mapped IPv6 loopback',
    'generic-sms',
    { baseUrl: 'http://[::ffff:127.0.0.2]/' },
    { 'credentials.baseUrl': 'loopback address (127.0.0.0/8)' },
  ],
  ['IPv6 loopback', 'email-webhook', { webhookUrl: 'http://[::1]:3000/' }, { 'credentials.webhookUrl': 'loopback address (::1/128)' }],
  ['localhost by name', 'generic-sms', { baseUrl: 'http://localhost:3000' }, { 'credentials.baseUrl': 'loopback address (localhost)' }],
  ['*.localhost by name', 'generic-sms', { baseUrl: 'http://api.localhost' }, { 'credentials.baseUrl': 'loopback address' }],
  [
    'private 10/8',
    'generic-sms',
    { baseUrl: 'http://10.0.0.1' },
    { 'credentials.baseUrl': 'must not point at a private address (10.0.0.0/8)' },
  ],
  ['private 172.16/12', 'generic-sms', { baseUrl: 'http://172.16.5.4' }, { 'credentials.baseUrl': 'private address (172.16.0.0/12)' }],
  [
    'private 192.168/16',
    'push-webhook',
    { webhookUrl: 'http://192.168.1.1/' },
    { 'credentials.webhookUrl': 'private address (192.168.0.0/16)' },
  ],
  [
    'cloud metadata',
    'generic-sms',
    { baseUrl: 'http://169.254.169.254/latest/meta-data' },
    { 'credentials.baseUrl': 'cloud metadata address (169.254.169.254/32)' },
  ],
  ['metadata, decimal form', 'generic-sms', { baseUrl: 'http://2852039166/' }, { 'credentials.baseUrl': 'cloud metadata address' }],
  ['metadata by name', 'generic-sms', { baseUrl: 'http://metadata.google.internal/' }, { 'credentials.baseUrl': 'cloud metadata address' }],
  ['link-local', 'generic-sms', { baseUrl: 'http://169.254.10.10' }, { 'credentials.baseUrl': 'link-local address (169.254.0.0/16)' }],
  ['IPv6 link-local', 'generic-sms', { baseUrl: 'http://[fe80::1]' }, { 'credentials.baseUrl': 'link-local address (fe80::/10)' }],
  ['unique-local', 'generic-sms', { baseUrl: 'http://[fd00::1]/' }, { 'credentials.baseUrl': 'unique-local address (fc00::/7)' }],
  ['unspecified IPv4', 'generic-sms', { baseUrl: 'http://0.0.0.0:8080' }, { 'credentials.baseUrl': 'unspecified address (0.0.0.0/32)' }],
  ['unspecified IPv4, short form', 'nodemailer', { host: '0' }, { 'credentials.host': 'unspecified address' }],
  ['unspecified IPv6', 'generic-sms', { baseUrl: 'http://[::]/' }, { 'credentials.baseUrl': 'unspecified address (::/128)' }],
  ['broadcast', 'generic-sms', { baseUrl: 'http://255.255.255.255' }, { 'credentials.baseUrl': 'broadcast address' }],
  [
    'CGNAT',
    'generic-sms',
    { baseUrl: 'http://100.64.0.1' },
    { 'credentials.baseUrl': 'carrier-grade NAT (shared) address (100.64.0.0/10)' },
  ],
  ['multicast', 'generic-sms', { baseUrl: 'http://224.0.0.251' }, { 'credentials.baseUrl': 'multicast address (224.0.0.0/4)' }],
  ['reserved 240/4', 'generic-sms', { baseUrl: 'http://240.0.0.1' }, { 'credentials.baseUrl': 'reserved address (240.0.0.0/4)' }],
  [
    'NAT64 of a private address',
    'generic-sms',
    { baseUrl: 'http://[64:ff9b::10.0.0.1]/' },
    { 'credentials.baseUrl': 'private address (10.0.0.0/8)' },
  ],

  // refused: names that resolve inwards
  [
    'name → private',
    'generic-sms',
    { baseUrl: 'https://intranet.example.com/api' },
    { 'credentials.baseUrl': 'private address (10.0.0.0/8); intranet.example.com resolves to one' },
  ],
  [
    'name → one public and one private',
    'generic-sms',
    { baseUrl: 'https://sneaky.example.com' },
    { 'credentials.baseUrl': 'private address (192.168.0.0/16)' },
  ],
  [
    'name → metadata',
    'push-webhook',
    { webhookUrl: 'http://metadata.example.com' },
    { 'credentials.webhookUrl': 'cloud metadata address' },
  ],
  ['name → ::1', 'generic-sms', { baseUrl: 'http://v6-loopback.example.com' }, { 'credentials.baseUrl': 'loopback address (::1/128)' }],
  [
    'name → IPv4-mapped loopback',
    'generic-sms',
    { baseUrl: 'http://mapped.example.com' },
    { 'credentials.baseUrl': 'loopback address (127.0.0.0/8)' },
  ],
  ['name → unique-local', 'generic-sms', { baseUrl: 'http://ula.example.com' }, { 'credentials.baseUrl': 'unique-local address' }],
  ['name → CGNAT', 'generic-sms', { baseUrl: 'http://cgnat.example.com' }, { 'credentials.baseUrl': 'shared' }],
  ['name → 0.0.0.0', 'generic-sms', { baseUrl: 'http://zero.example.com' }, { 'credentials.baseUrl': 'unspecified address' }],
  [
    'SMTP host → private',
    'nodemailer',
    { host: 'intranet.example.com', port: '25' },
    { 'credentials.host': 'private address (10.0.0.0/8)' },
  ],
  ['SMTP host loopback literal (not allow-listed)', 'nodemailer', { host: '127.0.0.2' }, { 'credentials.host': 'loopback address' }],
  ['SMTP host octal literal', 'nodemailer', { host: '0177.0.0.2' }, { 'credentials.host': 'loopback address' }],
  ['SMTP host IPv6 loopback', 'nodemailer', { host: '::1' }, { 'credentials.host': 'loopback address' }],
  ['kannel host → private', 'kannel', { host: '192.168.10.1' }, { 'credentials.host': 'private address' }],
  ['allow-list wildcard does not cover the bare domain', 'generic-sms', { baseUrl: 'http://partner.example' }, 'ok'],
  [
    'allow-listed range does not cover a neighbour',
    'generic-sms',
    { baseUrl: 'http://10.21.0.1' },
    { 'credentials.baseUrl': 'private address (10.0.0.0/8)' },
  ],

  // refused: form
  ['ftp scheme', 'generic-sms', { baseUrl: 'ftp://api.example.com/' }, { 'credentials.baseUrl': 'must use http or https, not "ftp"' }],
  ['file scheme', 'generic-sms', { baseUrl: 'file:///etc/passwd' }, { 'credentials.baseUrl': 'must use http or https' }],
  ['gopher scheme', 'generic-sms', { baseUrl: 'gopher://api.example.com:25/' }, { 'credentials.baseUrl': 'must use http or https' }],
  ['not a URL', 'generic-sms', { baseUrl: 'api.example.com/send' }, { 'credentials.baseUrl': 'must be an absolute http(s) URL' }],
  [
    'credentials in URL',
    'generic-sms',
    { baseUrl: 'https://user:pass@api.example.com/' },
    { 'credentials.baseUrl': 'must not contain credentials' },
  ],
  [
    'user only in URL',
    'email-webhook',
    { webhookUrl: 'https://token@api.example.com/' },
    { 'credentials.webhookUrl': 'must not contain credentials' },
  ],
  ['URL that is not a string', 'generic-sms', { baseUrl: true }, { 'credentials.baseUrl': 'must be an http(s) URL' }],
  ['SMTP host with a port', 'nodemailer', { host: 'smtp.example.com:25' }, { 'credentials.host': 'must be a host name or IP address' }],
  ['SMTP host as URL', 'nodemailer', { host: 'smtp://smtp.example.com' }, { 'credentials.host': 'must be a host name or IP address' }],
  ['Braze apiURL', 'braze', { apiURL: 'http://10.0.0.5' }, { 'credentials.apiURL': 'private address' }],
  ['AppIO base URL', 'appio', { AppIOBaseUrl: 'http://127.0.0.1:9' }, { 'credentials.AppIOBaseUrl': 'loopback' }],
  // generic-sms `domain`: the URL it POSTs to for an auth token before each send
  ['generic-sms auth URL, public', 'generic-sms', { domain: 'https://api.example.com/auth' }, 'ok'],
  [
    'generic-sms auth URL, metadata',
    'generic-sms',
    { domain: 'http://169.254.169.254/latest/meta-data/iam' },
    { 'credentials.domain': 'cloud metadata address (169.254.169.254/32)' },
  ],
  [
    'generic-sms auth URL, metadata decimal',
    'generic-sms',
    { domain: 'http://2852039166/' },
    { 'credentials.domain': 'cloud metadata address' },
  ],
  [
    'generic-sms auth URL, metadata hex',
    'generic-sms',
    { domain: 'http://0xa9fea9fe/' },
    { 'credentials.domain': 'cloud metadata address' },
  ],
  [
    'generic-sms auth URL, metadata by name',
    'generic-sms',
    { domain: 'http://metadata.example.com/' },
    { 'credentials.domain': 'cloud metadata address (169.254.169.254/32); metadata.example.com resolves to one' },
  ],
  [
    'generic-sms auth URL, loopback',
    'generic-sms',
    { domain: 'http://localhost:8080/token' },
    { 'credentials.domain': 'loopback address (localhost)' },
  ],
  [
    'generic-sms auth URL, IPv4-mapped loopback',
    'generic-sms',
    { domain: 'http://[::ffff:7f00:2]/' },
    { 'credentials.domain': 'loopback address (127.0.0.0/8)' },
  ],
  [
    'generic-sms auth URL, private',
    'generic-sms',
    { domain: 'http://192.168.1.10/auth' },
    { 'credentials.domain': 'private address (192.168.0.0/16)' },
  ],
  [
    'generic-sms auth URL, percent-encoded host',
    'generic-sms',
    { domain: 'http://%31%32%37.0.0.1/' },
    { 'credentials.domain': 'loopback address' },
  ],
  [
    'generic-sms auth URL, not a URL',
    'generic-sms',
    { domain: 'auth.example.com' },
    { 'credentials.domain': 'must be an absolute http(s) URL' },
  ],
  [
    'generic-sms auth URL, file scheme',
    'generic-sms',
    { domain: 'file:///etc/passwd' },
    { 'credentials.domain': 'must use http or https' },
  ],
  [
    'generic-sms base and auth URL both refused',
    'generic-sms',
    { baseUrl: 'http://10.0.0.1', domain: 'http://[::1]/' },
    { 'credentials.baseUrl': 'private', 'credentials.domain': 'loopback' },
  ],

  // `domain` of other providers names no host the worker connects to
  ['Mailgun sending domain is a path segment of api.mailgun.net', 'mailgun', { domain: 'mg.example.com' }, 'ok'],
  ['Mailgun domain that looks like an address is still a path segment', 'mailgun', { domain: '169.254.169.254' }, 'ok'],
  ['nodemailer DKIM domain is not a host', 'nodemailer', { domain: '10.0.0.1' }, 'ok'],

  // regions spliced into host names (`https://<region>.sms.api.sinch.com`, AWS endpoints)
  ['sinch region us', 'sinch', { region: 'us' }, 'ok'],
  ['sinch region eu', 'sinch', { region: 'eu' }, 'ok'],
  ['sinch region injection with a fragment', 'sinch', { region: '169.254.169.254/#' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region as a bare metadata address', 'sinch', { region: '169.254.169.254' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a query', 'sinch', { region: 'evil.example?' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with user-info', 'sinch', { region: 'x@127.0.0.1:80/' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a path', 'sinch', { region: 'localhost/' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a dot', 'sinch', { region: 'us.evil' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a backslash', 'sinch', { region: '127.0.0.1\\' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region percent-encoded', 'sinch', { region: '%31%32%37.0.0.1%2F' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a newline', 'sinch', { region: 'us\nHost: 10.0.0.1' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a trailing newline', 'sinch', { region: 'us\n' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a space', 'sinch', { region: ' us' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a fullwidth dot', 'sinch', { region: 'us\uff0eevil' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region with a leading hyphen', 'sinch', { region: '-us' }, { 'credentials.region': 'must be a region code' }],
  ['sinch region too long', 'sinch', { region: 'a'.repeat(33) }, { 'credentials.region': 'at most 32 characters' }],
  [
    'sinch region that is not a string',
    'sinch',
    { region: ['us'] as unknown as string },
    { 'credentials.region': 'must be a region code' },
  ],
  ['SES region us-east-1', 'ses', { region: 'us-east-1' }, 'ok'],
  ['SES region us-gov-west-1', 'ses', { region: 'us-gov-west-1' }, 'ok'],
  ['SES region upper case (AWS signs lower case only)', 'ses', { region: 'US-EAST-1' }, { 'credentials.region': 'lower-case' }],
  ['SES region injection', 'ses', { region: '169.254.169.254/#' }, { 'credentials.region': 'must be a region code' }],
  ['SNS region injection', 'sns', { region: 'us-east-1.evil.example#' }, { 'credentials.region': 'must be a region code' }],
  ['SendGrid region eu', 'sendgrid', { region: 'eu' }, 'ok'],
  ['SendGrid region injection', 'sendgrid', { region: '127.0.0.1:25/' }, { 'credentials.region': 'must be a region code' }],
  ['SparkPost region injection', 'sparkpost', { region: 'eu.10.0.0.1.nip.io' }, { 'credentials.region': 'must be a region code' }],
  ['empty region is left to the required-keys rule', 'sinch', { region: '' }, 'ok'],

  // Pusher Beams `<instanceId>.pushnotifications.pusher.com`
  ['Pusher Beams instance id (a UUID)', 'pusher-beams', { instanceId: '8f9a6e22-2483-49aa-8552-125f1a4c5781' }, 'ok'],
  [
    'Pusher Beams instance id injection',
    'pusher-beams',
    { instanceId: '169.254.169.254/#' },
    { 'credentials.instanceId': 'must be one DNS label' },
  ],
  [
    'Pusher Beams instance id with a dot',
    'pusher-beams',
    { instanceId: 'abc.127.0.0.1.nip.io' },
    { 'credentials.instanceId': 'must be one DNS label' },
  ],
  [
    'Pusher Beams instance id too long',
    'pusher-beams',
    { instanceId: 'a'.repeat(64) },
    { 'credentials.instanceId': 'at most 63 characters' },
  ],

  // Azure Communication Services: `accessKey` holds the connection string with the endpoint
  ['Azure connection string, public endpoint', 'azure-sms', { accessKey: 'endpoint=https://dual.example.com/;accesskey=c2VjcmV0' }, 'ok'],
  [
    'Azure connection string, metadata endpoint',
    'azure-sms',
    { accessKey: 'endpoint=http://169.254.169.254/;accesskey=c2VjcmV0' },
    { 'credentials.accessKey': 'credentials.accessKey endpoint must not point at a cloud metadata address' },
  ],
  [
    'Azure connection string, mixed-case keys, private endpoint',
    'azure-sms',
    { accessKey: 'Endpoint=https://10.1.1.1/;AccessKey=c2VjcmV0' },
    { 'credentials.accessKey': 'private address (10.0.0.0/8)' },
  ],
  [
    'Azure connection string, endpoint read past a semicolon',
    'azure-sms',
    { accessKey: 'endpoint=https://dual.example.com/;x=http://127.0.0.1/;accesskey=k' },
    'ok',
  ],
  [
    'Azure connection string, decoy segment before the endpoint',
    'azure-sms',
    { accessKey: 'accesskey=k;endpoint=http://[::1]/' },
    { 'credentials.accessKey': 'loopback' },
  ],
  [
    'Azure connection string, endpoint hidden inside another segment',
    'azure-sms',
    { accessKey: 'x=endpoint=http://127.0.0.1/;accesskey=k' },
    { 'credentials.accessKey': 'loopback' },
  ],
  [
    'Azure connection string, non-http endpoint',
    'azure-sms',
    { accessKey: 'endpoint=file:///etc/passwd;accesskey=k' },
    { 'credentials.accessKey': 'must use http or https' },
  ],
  ['Azure value without an endpoint is left to the SDK', 'azure-sms', { accessKey: 'c2VjcmV0' }, 'ok'],
  ['MessageBird accessKey is a plain key', 'messagebird', { accessKey: 'endpoint=http://10.0.0.1/;accesskey=k' }, 'ok'],

  [
    'several keys at once',
    'slack',
    { redirectUrl: 'http://localhost/cb', webhookUrl: 'http://10.0.0.1/' },
    { 'credentials.redirectUrl': 'loopback', 'credentials.webhookUrl': 'private' },
  ],
];

describe('OutboundUrlChecker', () => {
  it(`has a broad table (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', async (_label, providerId, credentials, expected) => {
    const problems = await checker().check(providerId, credentials);
    if (expected === 'ok') {
      expect(problems).toEqual({});
      return;
    }
    expect(Object.keys(problems).sort()).toEqual(Object.keys(expected).sort());
    for (const [path, fragment] of Object.entries(expected)) {
      expect(problems[path].messages).toHaveLength(1);
      expect(problems[path].messages[0]).toContain(fragment);
      expect(problems[path].messages[0].startsWith(`${path} `)).toBe(true);
    }
  });

  it('words the message after the rule, naming the path and range', async () => {
    const problems = await checker().check('mailgun', { baseUrl: 'http://10.0.0.1/v3' });
    expect(problems).toEqual({
      'credentials.baseUrl': { messages: ['credentials.baseUrl must not point at a private address (10.0.0.0/8)'] },
    });
  });

  it('echoes neither a connection string nor a refused region or label', async () => {
    const azure = await checker().check('azure-sms', { accessKey: 'endpoint=http://10.0.0.1/;accesskey=TOPSECRET' });
    expect(azure['credentials.accessKey']).not.toHaveProperty('value');
    expect(JSON.stringify(azure)).not.toContain('TOPSECRET');
    const region = await checker().check('sinch', { region: '169.254.169.254/#' });
    expect(region['credentials.region']).not.toHaveProperty('value');
    expect(JSON.stringify(region)).not.toContain('169.254');
  });

  it('checks a region by shape alone, resolving nothing', async () => {
    const resolver = new FakeHostResolver(zone);
    const subject = new OutboundUrlChecker(resolver, { outboundUrls: {} });
    await subject.check('sinch', { region: 'metadata' });
    await subject.check('pusher-beams', { instanceId: 'intranet' });
    expect(resolver.asked).toEqual([]);
  });

  it('reads a long hostile connection string in linear time (no regex backtracking)', async () => {
    const hostile = 'endpoint='.repeat(50_000) + ';accesskey='.repeat(10);
    const problems = await checker().check('azure-sms', { accessKey: hostile });
    expect(problems['credentials.accessKey'].messages[0]).toContain('must be an absolute http(s) URL');
  });

  it('never echoes a URL (it may carry a token); echoes a host', async () => {
    const url = await checker().check('push-webhook', { webhookUrl: 'https://u:secret@10.0.0.1/' });
    expect(url['credentials.webhookUrl']).not.toHaveProperty('value');
    expect(JSON.stringify(url)).not.toContain('secret');
    const host = await checker().check('nodemailer', { host: '10.0.0.1' });
    expect(host['credentials.host'].value).toBe('10.0.0.1');
  });

  it('does not show what a name resolved to', async () => {
    const problems = await checker().check('generic-sms', { baseUrl: 'https://intranet.example.com' });
    expect(JSON.stringify(problems)).not.toContain('10.1.2.3');
  });

  it('refuses unresolvable names when configured to', async () => {
    const strict = checker({ allow, refuseUnresolvable: true });
    expect(await strict.check('generic-sms', { baseUrl: 'https://nowhere.example.net' })).toEqual({
      'credentials.baseUrl': { messages: ['credentials.baseUrl host nowhere.example.net cannot be resolved'] },
    });
  });

  it('counts a DNS lookup that takes too long as unresolvable', async () => {
    const slow = new (class extends HostResolver {
      resolve(): Promise<string[]> {
        return new Promise(() => undefined);
      }
    })();
    const strict = new OutboundUrlChecker(slow, { outboundUrls: { refuseUnresolvable: true, dnsTimeoutMs: 20 } });
    const problems = await strict.check('generic-sms', { baseUrl: 'https://slow.example.com' });
    expect(problems['credentials.baseUrl'].messages[0]).toContain('cannot be resolved');
  });

  it('without an allow-list refuses loopback', async () => {
    const problems = await checker({}).check('nodemailer', { host: '127.0.0.1' });
    expect(problems['credentials.host'].messages[0]).toContain('loopback');
  });

  it('does not resolve IP literals or refused special names', async () => {
    const resolver = new FakeHostResolver(zone);
    const subject = new OutboundUrlChecker(resolver, { outboundUrls: {} });
    await subject.check('generic-sms', { baseUrl: 'http://0x7f.1/' });
    await subject.check('generic-sms', { baseUrl: 'http://localhost/' });
    expect(resolver.asked).toEqual([]);
  });

  it('vetHost returns the checked addresses to connect to', async () => {
    await expect(checker().vetHost('dual.example.com')).resolves.toEqual({
      outcome: 'allowed',
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    });
    await expect(checker().vetHost('0x7f.0.0.53')).resolves.toEqual({ outcome: 'allowed', addresses: ['127.0.0.53'] });
    await expect(checker().vetHost('0x7f.1')).resolves.toMatchObject({ outcome: 'forbidden', viaName: false });
    await expect(checker().vetHost('nowhere.example.net')).resolves.toEqual({ outcome: 'unresolvable' });
    await expect(checker().vetHost('bad host')).resolves.toEqual({ outcome: 'invalid' });
  });

  it.each([['not a host!'], ['10.0.0.0/33'], ['*.'], ['999.1.1.1']])('refuses the allow entry %s at start-up', (entry) => {
    expect(() => checker({ allow: [entry] })).toThrow(OutboundUrlsConfigError);
  });
});
