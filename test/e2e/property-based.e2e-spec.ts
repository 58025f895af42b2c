import { appendFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { PROVIDER_VERIFIERS } from '@app/integrations/infrastructure/verification/provider-verifier.registry';
import catalog from '../../libs/integrations/src/domain/providers.json';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Property-based e2e suite: generated JSON values, object keys, strings (ill-formed UTF-16, NUL,
 * regex-hostile runs, strings near the body limit), numbers (-0, 1e308, 1e309, 2^53+1, integers
 * beyond any native type) and headers (Authorization with and without a scheme, idempotency-key,
 * Novu-Environment-Id, Content-Type) go to every route of /v1/integrations over real HTTP, as an
 * API-key caller and as a session caller, against the real PostgreSQL. For every answer:
 *
 * - never a 5xx, and always an answer (no dropped connection);
 * - a 4xx has the error shape `{statusCode (= status), timestamp (ISO 8601), path, message, error}`;
 * - no secret planted in the request (credential values, `configurations.inboundWebhookSigningKey`,
 *   the Authorization value, values under misspelled or unknown keys) appears in an error body;
 * - an API-key caller never gets a planted secret back in any body, replays of a session caller's
 *   keyed request included (API-key callers never see credential values).
 *
 * Well-formed creates (catalog providers with generated credentials) are mixed in, so update,
 * set-primary and delete also hit real rows.
 *
 * Reproducible: the seed is fixed (override with PROPERTY_SEED; fast-check prints the seed and the
 * path of a failure, which PROPERTY_PATH replays). Bounded: PROPERTY_RUNS runs per property.
 * PROPERTY_LOG=<file> appends every violation seen (shrinking steps included) as JSON lines;
 * with PROPERTY_KEEP_GOING=1 a violation does not stop the run (no shrinking), so that one run
 * lists every kind of failure; the test still fails when there was any.
 */

const SEED = intFromEnv('PROPERTY_SEED', 20_261_201);
const RUNS = intFromEnv('PROPERTY_RUNS', 40);
const REPLAY_PATH = process.env.PROPERTY_PATH?.trim() || undefined;
const LOG_FILE = process.env.PROPERTY_LOG?.trim() || undefined;
const KEEP_GOING = process.env.PROPERTY_KEEP_GOING === '1';
const ROUTE = '/v1/integrations';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}")`);
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------
// Values that JSON.stringify cannot express (or would make unreadable in a counterexample).

/** A planted secret: a unique marker (checked for in answers) plus an optional hostile tail. */
class Secret {
  constructor(
    readonly marker: string,
    readonly tail: string | Text = '',
  ) {}
  get text(): string {
    return this.marker + textOf(this.tail);
  }
  [fc.toStringMethod](): string {
    return `Secret(${JSON.stringify(this.marker)}${this.tail === '' ? '' : `, ${fc.stringify(this.tail)}`})`;
  }
}

/** A long run of one string, printed as `'x'.repeat(n)` in counterexamples. */
class Repeat {
  constructor(
    readonly unit: string,
    readonly times: number,
  ) {}
  get text(): string {
    return this.unit.repeat(this.times);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.unit)}.repeat(${this.times})`;
  }
}

/** A number literal sent as written (`-0`, `1e309`, `9007199254740993`), which JSON.stringify would change. */
class RawNumber {
  constructor(readonly literal: string) {}
  [fc.toStringMethod](): string {
    return `RawNumber(${this.literal})`;
  }
}

/** `[[[…]]]` nested `depth` times, built as text (a value that deep overflows recursive printers). */
class DeepArray {
  constructor(readonly depth: number) {}
  [fc.toStringMethod](): string {
    return `DeepArray(${this.depth})`;
  }
}

/** An object with many generated keys, printed by its size. */
class ManyKeys {
  constructor(
    readonly count: number,
    readonly value: Json,
  ) {}
  [fc.toStringMethod](): string {
    return `ManyKeys(${this.count}, ${fc.stringify(this.value)})`;
  }
}

type Text = string | Secret | Repeat;
type Json = null | boolean | number | Text | RawNumber | ManyKeys | DeepArray | Json[] | { [key: string]: Json };

function textOf(value: Text): string {
  return typeof value === 'string' ? value : value.text;
}

/** JSON text of a generated value; collects the markers of the secrets it contains. */
function serialize(value: Json, secrets: Set<string>): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return JSON.stringify(value) ?? 'null';
  if (typeof value === 'string') return JSON.stringify(value); // escapes lone surrogates as \udXXX
  if (value instanceof Secret) {
    secrets.add(value.marker);
    return JSON.stringify(value.text);
  }
  if (value instanceof Repeat) return JSON.stringify(value.text);
  if (value instanceof RawNumber) return value.literal;
  if (value instanceof DeepArray) return '['.repeat(value.depth) + ']'.repeat(value.depth);
  if (value instanceof ManyKeys) {
    const item = serialize(value.value, secrets);
    const parts: string[] = [];
    for (let i = 0; i < value.count; i++) parts.push(`"k${i}":${item}`);
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => serialize(item, secrets)).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${serialize(item, secrets)}`)
    .join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

interface Provider {
  readonly id: string;
  readonly channel: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}
const PROVIDERS = (catalog as { providers: Provider[] }).providers;
/** Providers whose credentials check calls a base URL the test points at its stub. */
const STUBBED_CHECKS = PROVIDER_VERIFIERS.flatMap((v) => v.providerIds).filter((id) => id !== 'nodemailer');

/** Values for credential keys that name an address: the outbound URL policy refuses anything else. */
const ADDRESS_VALUES: Record<string, string> = {
  baseUrl: 'https://api.example.com',
  apiURL: 'https://api.example.com',
  webhookUrl: 'https://hooks.example.com/in',
  redirectUrl: 'https://example.com/back',
  AppIOBaseUrl: 'https://appio.example.com',
  host: 'smtp.example.com',
  domain: 'example.com',
  region: 'us-east-1',
  port: '587',
  from: 'ops@example.com',
};

const marker = fc.noShrink(fc.stringMatching(/^[0-9a-f]{16}$/)).map((hex) => `mk${hex}`);

const loneSurrogates = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud800b', '\udfff\ud800', 'x\ud83d'];
const hostileConstants = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e',
  '\ufeff',
  '\uffff',
  '💥',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '__proto__',
  'constructor',
  ...loneSurrogates,
];

/** Strings a validator or a regex may choke on. */
const hostileString: fc.Arbitrary<Text> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileConstants) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 5 }), fc.constantFrom(...loneSurrogates), fc.string({ maxLength: 5 }))
      .map(([a, s, b]) => a + s + b),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('/', '-', 'a', '.', ' ', '\\', '%', '\u0000', '\ud800', 'é'), fc.constantFrom(257, 10_000, 80_000))
      .map(([unit, times]) => new Repeat(unit, times)),
  },
  // Near the 1 MiB body limit: a 1 MB string does not fit with the rest, 900 kB does.
  { weight: 1, arbitrary: fc.constantFrom(new Repeat('x', 900_000), new Repeat('\u00e9', 450_000)) },
);

const hostileNumber: fc.Arbitrary<number | RawNumber> = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 5e-324, 0.1),
  fc.constantFrom(
    new RawNumber('-0'),
    new RawNumber('1e309'),
    new RawNumber('-1e309'),
    new RawNumber('9007199254740993'),
    new RawNumber('123456789012345678901234567890123456789'),
    new RawNumber('1e-400'),
    new RawNumber('0.0000000000000000000000000000001'),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Keys a DTO, a prototype or a JSON path may trip on. */
const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'credentilas',
    'credential',
    'Credentials',
    'apiKey',
    'secret',
    'toString',
    'constructor',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    '__defineGetter__',
    '__proto__',
    'prototype',
    '',
    ' ',
    '\u0000',
    'a.b',
    'credentials.apiKey',
    '$where',
    '0',
    '-1',
    ...loneSurrogates,
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('k'.repeat(300), '/'.repeat(1000)),
);

/** Any generated JSON value, hostile leaves and keys included. */
const hostileJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Json>(null, true, false),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
    fc.constantFrom<Json>(new DeepArray(64), new DeepArray(5_000), new ManyKeys(5_000, 1)),
  ),
})).value;

const secret: fc.Arbitrary<Secret> = fc
  .tuple(marker, fc.option(hostileString, { nil: undefined, freq: 3 }))
  .map(([m, tail]) => new Secret(m, tail ?? ''));

/** A catalog provider with credentials of its keys: addresses that pass the URL policy, secrets elsewhere. */
const wellFormedCreate: fc.Arbitrary<Record<string, Json>> = fc
  .record(
    {
      provider: fc.constantFrom(...PROVIDERS),
      name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0),
      identifier: fc.stringMatching(/^[a-z0-9-]{4,20}$/),
      active: fc.boolean(),
      check: fc.constantFrom(undefined, false, true),
      secrets: fc.array(secret, { minLength: 12, maxLength: 12 }),
      signingKey: fc.option(secret, { nil: undefined }),
      withChannel: fc.boolean(),
    },
    { requiredKeys: ['provider', 'identifier', 'secrets', 'withChannel'] },
  )
  .map(({ provider, name, identifier, active, check, secrets, signingKey, withChannel }) => {
    const credentials: Record<string, Json> = {};
    [...provider.required, ...provider.optional.slice(0, 2)].forEach((key, i) => {
      if (key === 'tlsOptions') credentials[key] = { rejectUnauthorized: true };
      else if (key === 'secure' || key === 'requireTls' || key === 'ignoreTls') credentials[key] = false;
      else credentials[key] = ADDRESS_VALUES[key] ?? secrets[i % secrets.length];
    });
    const body: Record<string, Json> = { providerId: provider.id, credentials, identifier: `${identifier}-${randomUUID().slice(0, 8)}` };
    if (withChannel) body.channel = provider.channel;
    if (name !== undefined) body.name = name;
    if (active !== undefined) body.active = active;
    // A check only where the stub answers for the provider (no outbound traffic from the test).
    if (check !== undefined && (check === false || STUBBED_CHECKS.includes(provider.id))) body.check = check;
    if (signingKey) body.configurations = { inboundWebhookSigningKey: signingKey };
    return body;
  });

/** One change that makes a well-formed body hostile. */
type Mutation = (body: Record<string, Json>) => Json;
const setAt =
  (path: string[], value: Json): Mutation =>
  (body) => {
    const copy: Record<string, Json> = structuredCloneJson(body);
    let node: Record<string, Json> = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (node[key] = next && typeof next === 'object' && !Array.isArray(next) && !isSpecial(next) ? next : {}) as Record<string, Json>;
    }
    node[path[path.length - 1]] = value;
    return copy;
  };

function isSpecial(value: Json): boolean {
  return (
    value instanceof Secret ||
    value instanceof Repeat ||
    value instanceof RawNumber ||
    value instanceof ManyKeys ||
    value instanceof DeepArray
  );
}

/** Copies plain objects and arrays, keeps the special leaves as they are. */
function structuredCloneJson<T extends Json>(value: T): T {
  if (value === null || typeof value !== 'object' || isSpecial(value)) return value;
  if (Array.isArray(value)) return value.map((item) => structuredCloneJson(item)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneJson(v)])) as T;
}

const scalarField = fc.constantFrom(
  'name',
  'identifier',
  'providerId',
  'channel',
  'active',
  'check',
  'priority',
  '_environmentId',
  'primary',
);
const mutation: fc.Arbitrary<{ label: string; apply: Mutation }> = fc.oneof(
  fc
    .tuple(scalarField, hostileJson)
    .map(([field, value]) => ({ label: `${field} = ${fc.stringify(value)}`, apply: setAt([field], value) })),
  fc
    .tuple(fc.constantFrom('apiKey', 'password', 'token', 'secretKey', 'from', 'baseUrl', 'host', 'tlsOptions'), hostileJson, marker)
    .map(([key, value, m]) => ({
      label: `credentials.${key} = ${fc.stringify(value)}`,
      apply: setAt(['credentials', key], typeof value === 'string' || value instanceof Repeat ? new Secret(m, value) : value),
    })),
  secret.map((s) => ({
    label: `configurations.inboundWebhookSigningKey = ${fc.stringify(s)}`,
    apply: setAt(['configurations', 'inboundWebhookSigningKey'], s),
  })),
  fc.tuple(hostileString, secret).map(([tail, s]) => ({
    label: `configurations.inboundWebhookSigningKey = ${fc.stringify(s)} + hostile`,
    apply: setAt(['configurations', 'inboundWebhookSigningKey'], new Secret(s.marker, tail)),
  })),
  fc.tuple(hostileKey, hostileJson).map(([key, value]) => ({
    label: `configurations[${JSON.stringify(key)}] = ${fc.stringify(value)}`,
    apply: setAt(['configurations', key], value),
  })),
  hostileJson.map((value) => ({ label: `conditions = ${fc.stringify(value)}`, apply: setAt(['conditions'], value) })),
  // A well-formed condition whose field or value is hostile text (stored as JSON, not encrypted).
  fc.tuple(fc.constantFrom('field', 'value'), hostileString).map(([part, text]) => ({
    label: `conditions[0].children[0].${part} = ${fc.stringify(text)}`,
    apply: setAt(
      ['conditions'],
      [
        {
          isNegated: false,
          type: 'BOOLEAN',
          value: 'AND',
          children: [{ field: 'tier', value: 'pro', operator: 'EQUAL', on: 'subscriber', [part]: text }],
        },
      ],
    ),
  })),
  fc.tuple(hostileKey, hostileJson).map(([key, value]) => ({
    label: `conditions[0].children[0][${JSON.stringify(key)}] = ${fc.stringify(value)}`,
    apply: setAt(
      ['conditions'],
      [
        {
          isNegated: false,
          type: 'BOOLEAN',
          value: 'AND',
          children: [{ field: 'tier', value: 'pro', operator: 'EQUAL', on: 'subscriber', [key]: value }],
        },
      ],
    ),
  })),
  // Secrets under misspelled or unknown keys, at the top and inside credentials.
  fc
    .tuple(hostileKey, secret)
    .map(([key, s]) => ({ label: `[${JSON.stringify(key)}] = {apiKey: secret}`, apply: setAt([key], { apiKey: s, password: s }) })),
  fc
    .tuple(hostileKey, secret)
    .map(([key, s]) => ({ label: `credentials[${JSON.stringify(key)}] = secret`, apply: setAt(['credentials', key], s) })),
  fc
    .tuple(hostileKey, secret)
    .map(([key, s]) => ({ label: `configurations[${JSON.stringify(key)}] = secret`, apply: setAt(['configurations', key], s) })),
  // The whole body replaced by any JSON value.
  hostileJson.map((value) => ({ label: `body = ${fc.stringify(value)}`, apply: () => value })),
);

type Body =
  | { readonly kind: 'json'; readonly value: Json }
  | { readonly kind: 'raw'; readonly text: (secret: string) => string; readonly label: string; readonly secret: string };

const createBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 3, arbitrary: wellFormedCreate.map((value) => ({ kind: 'json' as const, value })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(wellFormedCreate, mutation)
      .map(([body, m]) => ({ kind: 'json' as const, value: withLabel(m.apply(body), m.label) })),
  },
  { weight: 1, arbitrary: rawBody() },
);

const updateBody: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .tuple(wellFormedCreate, fc.subarray(['name', 'identifier', 'active', 'credentials', 'configurations', 'check']))
      .map(([body, keys]) => ({
        kind: 'json' as const,
        value: Object.fromEntries(keys.filter((k) => k in body).map((k) => [k, body[k]])),
      })),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(wellFormedCreate, mutation).map(([body, m]) => {
      const { providerId: _p, channel: _c, ...rest } = body;
      return { kind: 'json' as const, value: withLabel(m.apply(rest), m.label) };
    }),
  },
  { weight: 1, arbitrary: rawBody() },
);

/** Bodies that are not JSON, or not only: the parser's own errors must not echo them. */
function rawBody(): fc.Arbitrary<Body> {
  const shapes: [string, (s: string) => string][] = [
    ['truncated JSON', (s) => `{"providerId":"sendgrid","credentials":{"apiKey":"${s}"`],
    ['trailing garbage', (s) => `{"providerId":"sendgrid","credentials":{"apiKey":"${s}"}}}`],
    ['unquoted secret', (s) => `{"providerId":"sendgrid","credentials":{"apiKey":${s}}}`],
    ['single quotes', (s) => `{'credentials': {'apiKey': '${s}'}}`],
    ['form body', (s) => `providerId=sendgrid&credentials[apiKey]=${s}`],
    ['bare secret', (s) => s],
    ['bad escape', (s) => `{"credentials":{"apiKey":"${s}\\x"}}`],
    ['__proto__', (s) => `{"providerId":"sendgrid","__proto__":{"apiKey":"${s}"}}`],
    ['constructor.prototype', (s) => `{"constructor":{"prototype":{"apiKey":"${s}"}}}`],
  ];
  return fc.tuple(fc.constantFrom(...shapes), marker).map(([[label, text], m]) => ({ kind: 'raw' as const, label, text, secret: m }));
}

/** Counterexamples print the mutation that made the body hostile (kept out of the JSON sent). */
const LABELS = new WeakMap<object, string>();
function withLabel(value: Json, label: string): Json {
  if (value && typeof value === 'object' && !isSpecial(value)) LABELS.set(value, label);
  return value;
}

/** A header value fetch accepts (Latin-1 without controls and DEL) but a parser may not like. */
const headerText = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 40,
  }),
  fc.constantFrom("' OR 1=1 --", '%00', '\u00ff\u00fe', ' padded ', 'k'.repeat(256), 'k'.repeat(8_000)),
);

type Auth =
  | { readonly kind: 'caller' }
  | { readonly kind: 'caller-lowercase-scheme' }
  | { readonly kind: 'other-caller-scheme' }
  | { readonly kind: 'none' }
  | { readonly kind: 'secret'; readonly scheme: string; readonly secret: Secret }
  | { readonly kind: 'text'; readonly value: string };

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'caller' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'caller-lowercase-scheme' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'other-caller-scheme' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('', 'ApiKey', 'apikey', 'Bearer', 'bearer', 'Basic', 'Token'), marker)
      .map(([scheme, m]) => ({ kind: 'secret' as const, scheme, secret: new Secret(m) })),
  },
  { weight: 1, arbitrary: headerText.map((value) => ({ kind: 'text' as const, value })) },
);

type EnvHeader = 'development' | 'production' | 'unknown-uuid' | { readonly text: string } | undefined;
const envHeader: fc.Arbitrary<EnvHeader> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<EnvHeader>('development', 'production', 'unknown-uuid') },
  { weight: 1, arbitrary: headerText.map((text) => ({ text })) },
);

const idempotencyKey = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,32}$/) },
  { weight: 1, arbitrary: headerText },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/JSON',
      'application/json; charset=latin1',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
      'application/xml',
      '*/*',
      ';',
      'application/json, text/plain',
    ),
  },
);

/** Path ids: a stored row (by index into the pool), a fresh UUID, or hostile text. */
type PathId = { readonly row: number } | { readonly uuid: string } | { readonly segment: Text; readonly encoded: boolean };
const storedOrUnknownId: fc.Arbitrary<PathId> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((row) => ({ row })) },
  { weight: 1, arbitrary: fc.uuid().map((uuid) => ({ uuid })) },
);
const pathId: fc.Arbitrary<PathId> = fc.oneof(
  { weight: 7, arbitrary: storedOrUnknownId },
  { weight: 2, arbitrary: hostileString.filter((s) => textOf(s).length <= 80_000).map((segment) => ({ segment, encoded: true })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<Text>(
        '%00',
        '%',
        '%zz',
        '%E0%A4%A',
        '%ED%A0%80',
        '..%2f..%2f',
        '%2e%2e',
        ';',
        '?',
        '#',
        new Repeat('-', 10_000),
        new Repeat('/', 10_000),
        new Repeat('x', 100_000),
      )
      .map((segment) => ({ segment, encoded: false })),
  },
);

type RouteName = 'create' | 'list' | 'active' | 'update' | 'set-primary' | 'delete';

interface Call {
  readonly route: RouteName;
  readonly caller: 'api-key' | 'session';
  readonly auth: Auth;
  readonly env: EnvHeader;
  readonly idempotencyKey: string | undefined;
  readonly contentType: string | undefined;
  readonly id?: PathId;
  readonly body?: Body;
}

const caller = fc.constantFrom<'api-key' | 'session'>('api-key', 'session');
const headers = { auth, env: envHeader, idempotencyKey, contentType };

const createCall: fc.Arbitrary<Call> = fc.record({ route: fc.constant<RouteName>('create'), caller, ...headers, body: createBody });
const listCall: fc.Arbitrary<Call> = fc.record({ route: fc.constantFrom<RouteName>('list', 'active'), caller, ...headers });
const idCall: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ route: fc.constant<RouteName>('update'), caller, ...headers, id: pathId, body: updateBody }),
  fc.record({ route: fc.constantFrom<RouteName>('set-primary', 'delete'), caller, ...headers, id: pathId }),
  fc.record({ route: fc.constantFrom<RouteName>('set-primary', 'delete'), caller, ...headers, id: pathId, body: createBody }),
);

// ---------------------------------------------------------------------------------------------
// The service under test

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly secrets: Set<string>;
  readonly bodyBytes: number;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

describe('property-based: generated input to every route never yields a 5xx, a shapeless error or a leaked secret', () => {
  let testApp: TestApp;
  let stub: Server;
  let apiKey: string;
  let sessionToken: string;
  let environments: { development: string; production: string };
  /** Ids of rows created through HTTP (by the seeding and by generated creates). */
  const rows: string[] = [];

  beforeAll(async () => {
    // Every stubbed credentials check lands here and is refused, without echoing anything.
    stub = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    testApp = await startTestApp({
      outboundUrls: { allow: ['127.0.0.1'], refuseUnresolvable: false },
      credentialsCheck: { timeoutMs: 2_000, baseUrls: Object.fromEntries(STUBBED_CHECKS.map((id) => [id, stubUrl])) },
    });
    const org = await testApp.bootstrap();
    const byName = (name: string) => org.environments.find((e) => e.name === name)!;
    apiKey = byName('Development').apiKey;
    sessionToken = org.sessionToken;
    environments = { development: byName('Development').id, production: byName('Production').id };

    // A few real rows before the first generated call, for both callers' environments.
    for (const [kind, body] of [
      [
        'api-key',
        { providerId: 'sendgrid', active: true, credentials: { apiKey: 'SG.seed', from: 'ops@example.com', senderName: 'Seed' } },
      ],
      ['api-key', { providerId: 'twilio', active: false, credentials: { accountSid: 'AC1', token: 'seed-token', from: '+15550100' } }],
      [
        'session',
        { providerId: 'postmark', active: true, credentials: { apiKey: 'pm-seed', from: 'ops@example.com', senderName: 'Seed' } },
      ],
      ['session', { providerId: 'slack', active: false, credentials: { applicationId: 'A1', clientId: 'C1', secretKey: 'seed-secret' } }],
    ] as const) {
      const answer = await send(authFor(kind), 'POST', ROUTE, JSON.stringify(body), {});
      expect({ status: answer.status, text: answer.status === 201 ? '' : answer.text }).toEqual({ status: 201, text: '' });
      rows.push(JSON.parse(answer.text).data._id);
    }
  });

  afterAll(async () => {
    await testApp?.close();
    await new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve()));
  });

  function authFor(kind: 'api-key' | 'session'): string {
    return kind === 'api-key' ? `ApiKey ${apiKey}` : `Bearer ${sessionToken}`;
  }

  async function send(
    authorization: string | undefined,
    method: string,
    path: string,
    body: string | undefined,
    extra: Record<string, string>,
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...extra };
    if (authorization !== undefined) headers.authorization = authorization;
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    const response = await fetch(testApp.baseUrl + path, { method, headers, body });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  /**
   * The HTTP request for a generated call. `runTag` is fresh for each execution of a sequence and
   * makes its well-formed idempotency keys unique, so that a shrunk sequence is not answered from
   * an earlier run's record (the calls of one sequence still share their keys).
   */
  function build(call: Call, runTag: string): Sent & { readonly body?: string } {
    const secrets = new Set<string>();
    const headers: Record<string, string> = {};
    switch (call.auth.kind) {
      case 'caller':
        headers.authorization = authFor(call.caller);
        break;
      case 'caller-lowercase-scheme':
        headers.authorization = authFor(call.caller).replace(/^\w+/, (s) => s.toLowerCase());
        break;
      case 'other-caller-scheme':
        headers.authorization = call.caller === 'api-key' ? `Bearer ${apiKey}` : `ApiKey ${sessionToken}`;
        break;
      case 'none':
        break;
      case 'secret':
        secrets.add(call.auth.secret.marker);
        headers.authorization = call.auth.scheme ? `${call.auth.scheme} ${call.auth.secret.text}` : call.auth.secret.text;
        break;
      case 'text':
        headers.authorization = call.auth.value;
        break;
    }
    if (call.env !== undefined) {
      headers['novu-environment-id'] =
        typeof call.env === 'object' ? call.env.text : call.env === 'unknown-uuid' ? randomUUID() : environments[call.env];
    }
    if (call.idempotencyKey !== undefined) {
      headers['idempotency-key'] = /^[a-zA-Z0-9_-]{1,32}$/.test(call.idempotencyKey)
        ? `${call.idempotencyKey}-${runTag}`
        : call.idempotencyKey;
    }
    if (call.contentType !== undefined) headers['content-type'] = call.contentType;

    let body: string | undefined;
    if (call.body?.kind === 'json') body = serialize(call.body.value, secrets);
    if (call.body?.kind === 'raw') {
      secrets.add(call.body.secret);
      body = call.body.text(call.body.secret);
    }

    let path = ROUTE;
    if (call.route === 'active') path += '/active';
    if (call.id) path += `/${segmentOf(call.id)}`;
    if (call.route === 'set-primary') path += '/set-primary';
    const method = { create: 'POST', list: 'GET', active: 'GET', update: 'PUT', 'set-primary': 'POST', delete: 'DELETE' }[call.route];
    return { method, path, headers, secrets, body, bodyBytes: body === undefined ? 0 : Buffer.byteLength(body) };
  }

  function segmentOf(id: PathId): string {
    if ('row' in id) return rows.length ? rows[id.row % rows.length] : randomUUID();
    if ('uuid' in id) return id.uuid;
    return id.encoded ? encodeSegment(textOf(id.segment)) : textOf(id.segment);
  }

  /** encodeURIComponent, except that a lone surrogate becomes its (ill-formed) UTF-8 bytes. */
  function encodeSegment(segment: string): string {
    let out = '';
    for (const char of segment) {
      const code = char.codePointAt(0)!;
      out +=
        code >= 0xd800 && code <= 0xdfff
          ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
          : encodeURIComponent(char);
    }
    return out;
  }

  /** Every violation of the properties in one answer (empty when it is fine). */
  function violations(call: Call, sent: Sent, answer: Answer): string[] {
    const found: string[] = [];
    if (answer.status >= 500) found.push(`answered ${answer.status}`);
    const isError = answer.status >= 400;
    if (isError) {
      let body: any;
      try {
        body = JSON.parse(answer.text);
      } catch {
        body = undefined;
      }
      if (!body || typeof body !== 'object') {
        found.push(`error body is not a JSON object (content-type ${JSON.stringify(answer.contentType)})`);
      } else {
        if (body.statusCode !== answer.status) found.push(`statusCode ${JSON.stringify(body.statusCode)} ≠ status ${answer.status}`);
        if (
          typeof body.timestamp !== 'string' ||
          !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(body.timestamp) ||
          Number.isNaN(Date.parse(body.timestamp))
        ) {
          found.push(`timestamp ${JSON.stringify(body.timestamp)} is not ISO 8601`);
        }
        if (typeof body.path !== 'string') found.push('no path');
        if (body.message === undefined || body.message === null || body.message === '') found.push('no message');
        if (typeof body.error !== 'string') found.push('no error');
      }
    }
    // API-key callers never see credential values; nobody gets a secret back in an error.
    if (isError || call.caller === 'api-key') {
      for (const m of sent.secrets) {
        if (answer.text.includes(m))
          found.push(`${isError ? 'error' : `${answer.status} answer to an API-key caller`} echoes the planted secret ${m}`);
      }
    }
    return found;
  }

  /** Sends the call, checks the answer, remembers created rows; throws a readable failure. */
  async function exercise(call: Call, property: string, runTag: string): Promise<Answer> {
    const sent = build(call, runTag);
    let answer: Answer;
    try {
      answer = await send(sent.headers.authorization, sent.method, sent.path, sent.body, omit(sent.headers, 'authorization'));
    } catch (error) {
      answer = { status: -1, contentType: '', text: `no answer: ${(error as Error).cause ?? error}` };
    }
    if (answer.status === 201 && call.route === 'create') {
      const id = JSON.parse(answer.text)?.data?._id;
      if (typeof id === 'string') rows.push(id);
    }
    const found = answer.status === -1 ? [answer.text] : violations(call, sent, answer);
    if (found.length) {
      const label =
        call.body?.kind === 'json' && call.body.value && typeof call.body.value === 'object'
          ? LABELS.get(call.body.value as object)
          : call.body?.kind === 'raw'
            ? call.body.label
            : undefined;
      const report = {
        property,
        violations: found,
        request: `${sent.method} ${clip(sent.path, 200)} as ${call.caller} (auth ${call.auth.kind})`,
        mutation: label,
        headers: Object.fromEntries(Object.entries(sent.headers).map(([k, v]) => [k, clip(v, 120)])),
        bodyBytes: sent.bodyBytes,
        body: sent.body === undefined ? undefined : clip(sent.body, 400),
        status: answer.status,
        answer: clip(answer.text, 600),
      };
      if (LOG_FILE) appendFileSync(LOG_FILE, `${JSON.stringify(report)}\n`);
      if (KEEP_GOING) {
        seen.push(`${report.request}: ${found.join('; ')}`);
        return answer;
      }
      throw new Error(`${found.join('; ')}\n${JSON.stringify(report, null, 2)}`);
    }
    return answer;
  }

  /** Violations of a PROPERTY_KEEP_GOING run. */
  const seen: string[] = [];

  async function check(property: string, calls: fc.Arbitrary<Call[]>): Promise<void> {
    seen.length = 0;
    await fc.assert(
      fc.asyncProperty(calls, async (sequence) => {
        const runTag = randomUUID().slice(0, 8);
        for (const call of sequence) await exercise(call, property, runTag);
      }),
      { seed: SEED, numRuns: RUNS, path: REPLAY_PATH },
    );
    expect(seen).toEqual([]);
  }

  // First, while the environment holds few rows: the lists answer every stored row in full.
  it('GET /v1/integrations and /active with hostile headers', async () => {
    await check('lists', fc.array(listCall, { minLength: 1, maxLength: 3 }));
  }, 180_000);

  it('POST /v1/integrations: well-formed and hostile bodies, any headers', async () => {
    await check('create', fc.array(createCall, { minLength: 1, maxLength: 3 }));
  }, 180_000);

  it('PUT, set-primary and DELETE on stored rows and hostile path ids', async () => {
    await check(
      'by id',
      fc.array(fc.oneof({ weight: 1, arbitrary: createCall }, { weight: 2, arbitrary: idCall }), { minLength: 1, maxLength: 4 }),
    );
  }, 180_000);

  it("a session caller's keyed create or set-primary, replayed by an API-key caller, never hands it a secret", async () => {
    const replay = fc
      .tuple(
        fc.oneof(
          createCall.map((c) => ({ ...c, auth: { kind: 'caller' as const }, env: undefined, contentType: undefined })),
          fc
            .record({ route: fc.constant<RouteName>('set-primary'), caller, ...headers, id: storedOrUnknownId })
            .map((c) => ({ ...c, auth: { kind: 'caller' as const }, env: undefined })),
        ),
        fc.stringMatching(/^[a-zA-Z0-9_-]{8,32}$/),
      )
      .map(([call, key]) => [
        { ...call, caller: 'session' as const, idempotencyKey: key },
        { ...call, caller: 'api-key' as const, idempotencyKey: key },
      ]);
    await check('replays', replay);
  }, 180_000);
});

function omit(record: Record<string, string>, key: string): Record<string, string> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}
