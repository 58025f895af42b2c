#!/usr/bin/env node
'use strict';
/**
 * The floor (bench/README.md, "The floor"): a bare Fastify + pg server doing only the irreducible
 * work of the service's routes that the bench compares it with, on the service's own tables.
 *
 * - `POST /v1/integrations`, `Authorization: ApiKey <key>`: the key's environment from an in-memory
 *   map (SHA-256 hex of the key → environment, loaded once at start-up), Fastify's body parse, the
 *   credentials encrypted with AES-256-GCM in the service's envelope format (`{v, kid, iv, tag, ct}`,
 *   associated data `integration:<id>:credentials`), ONE `INSERT` into `integrations` (whose unique
 *   index on environment + identifier refuses a duplicate: 409), 201 `{data}` with `credentials: {}`.
 * - `GET /v1/integrations`: ONE `SELECT` of the live rows, oldest first, mapped to the wire form.
 *   `ApiKey <key>`: the key's environment, `credentials: {}` (nothing decrypted). `Bearer <token>`:
 *   the session token's HS256 signature and expiry checked with node:crypto, the organization's
 *   rows, every credential set decrypted.
 *
 * No validation beyond what keeps the work honest, no rate limiting, no logging, no idempotency: a
 * lower bound, not a second implementation. Environment: DATABASE_URL, PORT, HOST (127.0.0.1),
 * ENCRYPTION_KEYS (`id:base64`, the first one encrypts: the service's format), JWT_SECRET,
 * FLOOR_POOL_SIZE (10, the service's default pool). Prints `floor listening on <url>` when ready.
 */
const { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } = require('node:crypto');
const Fastify = require('fastify');
const { Pool } = require('pg');

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The providers the bench creates, with their channel (the service takes it from its catalogue). */
const CHANNELS = { sendgrid: 'email', mailgun: 'email', nodemailer: 'email', twilio: 'sms', slack: 'chat', fcm: 'push' };

function config(env) {
  const need = (name) => {
    const value = env[name];
    if (!value) throw new Error(`floor: ${name} is required`);
    return value;
  };
  const keys = need('ENCRYPTION_KEYS')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (colon < 1 || key.length !== KEY_BYTES) throw new Error('floor: ENCRYPTION_KEYS must be id:base64 of 32 bytes');
      return { id: entry.slice(0, colon), key };
    });
  return {
    databaseUrl: need('DATABASE_URL'),
    port: Number(need('PORT')),
    host: env.HOST || '127.0.0.1',
    keys,
    jwtSecret: Buffer.from(need('JWT_SECRET'), 'utf8'),
    poolSize: Number(env.FLOOR_POOL_SIZE || 10),
  };
}

// ---------------------------------------------------------------------------------------------
// Credentials: the service's AES-256-GCM envelope

function encrypt(keys, value, aad) {
  const { id, key } = keys[0];
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { v: 1, kid: id, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

function decrypt(keysById, envelope, aad) {
  const key = envelope && keysById.get(envelope.kid);
  if (!key) throw new Error('unknown key id');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]).toString('utf8'));
}

const credentialsAad = (id) => `integration:${id}:credentials`;

// ---------------------------------------------------------------------------------------------
// Callers

/** `ApiKey <key>` → its environment from the map; `Bearer <token>` → the organization of a valid session token. */
function caller(header, apiKeys, jwtSecret) {
  if (typeof header !== 'string') return undefined;
  if (header.startsWith('ApiKey ')) {
    const hash = createHash('sha256').update(header.slice(7), 'utf8').digest('hex');
    const environment = apiKeys.get(hash);
    return environment && { kind: 'apiKey', ...environment };
  }
  if (header.startsWith('Bearer ')) {
    const parts = header.slice(7).split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', jwtSecret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof claims.org !== 'string' || !(claims.exp > Date.now() / 1000)) return undefined;
    return { kind: 'session', organizationId: claims.org };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rows → the wire form (the fields the service answers with, absent ones left out)

function toWire(row, credentials) {
  const { inboundWebhookSigningKey: _encrypted, ...configurations } = row.configurations ?? {};
  const wire = {
    _id: row.id,
    _environmentId: row.environment_id,
    _organizationId: row.organization_id,
    name: row.name,
    identifier: row.identifier,
    providerId: row.provider_id,
    kind: row.kind,
    active: row.active,
    deleted: row.deleted,
    primary: row.is_primary,
    priority: row.priority,
    credentials,
    configurations,
    conditions: row.conditions ?? [],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
  if (row.channel != null) wire.channel = row.channel;
  return wire;
}

const LIST_COLUMNS =
  'id, organization_id, environment_id, name, identifier, provider_id, channel, kind, active, is_primary, priority, ' +
  'credentials, configurations, conditions, deleted, created_at, updated_at';

// ---------------------------------------------------------------------------------------------

async function main() {
  const options = config(process.env);
  const keysById = new Map(options.keys.map(({ id, key }) => [id, key]));
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  pool.on('error', () => undefined); // an idle client's connection dropped: the pool replaces it

  // The API keys, once: a lookup per request is the cost the issue says a key's caller need not pay.
  const apiKeys = new Map();
  const { rows } = await pool.query(
    `SELECT k.key_hash, e.id AS environment_id, e.organization_id
       FROM api_keys k JOIN environments e ON e.id = k.environment_id
      WHERE k.revoked_at IS NULL`,
  );
  for (const row of rows) apiKeys.set(row.key_hash, { environmentId: row.environment_id, organizationId: row.organization_id });

  const app = Fastify({ logger: false });

  app.post('/v1/integrations', async (request, reply) => {
    const who = caller(request.headers.authorization, apiKeys, options.jwtSecret);
    if (!who || who.kind !== 'apiKey') return reply.code(401).send({ statusCode: 401, message: 'Unauthorized' });
    const body = request.body;
    const channel = body && typeof body.providerId === 'string' ? CHANNELS[body.providerId] : undefined;
    if (!channel) return reply.code(422).send({ statusCode: 422, message: 'providerId: unknown provider' });
    const id = randomUUID();
    const now = new Date();
    const integration = {
      id,
      organization_id: who.organizationId,
      environment_id: who.environmentId,
      name: typeof body.name === 'string' ? body.name : body.providerId,
      identifier: typeof body.identifier === 'string' ? body.identifier : `${body.providerId}-${randomBytes(5).toString('base64url')}`,
      provider_id: body.providerId,
      channel,
      kind: 'delivery',
      active: body.active === true,
      is_primary: false,
      priority: 0,
      configurations: {},
      conditions: [],
      deleted: false,
      created_at: now,
      updated_at: now,
    };
    const credentials = encrypt(options.keys, body.credentials ?? {}, credentialsAad(id));
    try {
      await pool.query(
        `INSERT INTO integrations (id, organization_id, environment_id, name, identifier, provider_id, channel, kind, active,
                                   is_primary, priority, credentials, configurations, conditions, deleted, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          id,
          integration.organization_id,
          integration.environment_id,
          integration.name,
          integration.identifier,
          integration.provider_id,
          channel,
          'delivery',
          integration.active,
          false,
          0,
          credentials,
          '{}',
          '[]',
          false,
          now,
          now,
        ],
      );
    } catch (error) {
      if (error.code === '23505') return reply.code(409).send({ statusCode: 409, message: 'identifier already exists' });
      throw error;
    }
    return reply.code(201).send({ data: toWire(integration, {}) });
  });

  app.get('/v1/integrations', async (request, reply) => {
    const who = caller(request.headers.authorization, apiKeys, options.jwtSecret);
    if (!who) return reply.code(401).send({ statusCode: 401, message: 'Unauthorized' });
    if (who.kind === 'apiKey') {
      const { rows: listed } = await pool.query(
        `SELECT ${LIST_COLUMNS} FROM integrations
          WHERE organization_id = $1 AND environment_id = $2 AND NOT deleted ORDER BY created_at, id`,
        [who.organizationId, who.environmentId],
      );
      return { data: listed.map((row) => toWire(row, {})) };
    }
    const { rows: listed } = await pool.query(
      `SELECT ${LIST_COLUMNS} FROM integrations WHERE organization_id = $1 AND NOT deleted ORDER BY created_at, id`,
      [who.organizationId],
    );
    return { data: listed.map((row) => toWire(row, decrypt(keysById, row.credentials, credentialsAad(row.id)))) };
  });

  const stop = () => {
    app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  const url = await app.listen({ port: options.port, host: options.host });
  process.stdout.write(`floor listening on ${url} (${apiKeys.size} API keys cached)\n`);
}

main().catch((error) => {
  process.stderr.write(`floor failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
