import 'reflect-metadata';
import { ConsoleLogger, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { ReencryptCredentials } from '@app/integrations';
import {
  ApiKeySummary,
  AuthenticateApiKey,
  BootstrapOrganization,
  BootstrapResult,
  CreateApiKey,
  ListApiKeys,
  MintSessionToken,
  RevokeApiKey,
  TenancyError,
} from '@app/tenancy';
import { AppModule } from './app.module';
import { resolveDatabase } from './bootstrap/resolve-database';
import { ConfigError, loadConfig } from './config/load-config';

const HELP = `Usage: npm run -s cli -- <command> [options]
       (-s keeps npm's own "> integrations-service cli" banner off stdout; or run
        node dist/apps/api/apps/api/src/cli.js <command> after npm run build)

Commands:
  bootstrap            Create an organization with a Development and a Production environment,
                       one API key for each and a user; print the keys and a session token
                       (secrets are shown only this once).
  reencrypt            Re-encrypt every stored credential set and webhook signing key with the
                       current encryption key (the first of ENCRYPTION_KEYS). Run it after
                       putting a new key first; afterwards the old key can be removed.
                       Safe while the service runs; prints progress to stderr.
  revoke-key           Revoke an API key, read from standard input (not an argument, so that it stays
                       out of shell history and process lists):  echo "$KEY" | npm run -s cli -- revoke-key
  keys list --organization <id>
                       The organization's API keys: id, environment, created, last used (to the minute),
                       revoked. Never a secret.
  keys create --environment <id>
                       A new API key for the environment (its other keys keep working); the secret is
                       printed only this once.
  keys revoke --id <id>
                       Revoke the API key with this id (from keys list).
  token mint --organization <id> [--user <id>] [--environment <id>]
                       A session token for a user of the organization (default: its first user), with
                       the environment as its default (default: the first, Development).

Revoking (revoke-key, keys revoke) reaches every running service within about a second
(PostgreSQL LISTEN/NOTIFY): they drop the key from their caches.

Options (bootstrap):
  --name <name>        Organization name (default "My Organization")
  --json               Print exactly one JSON object on stdout (logs go to stderr)

Options (keys, token):
  --json               Print exactly one JSON object on stdout

Options (reencrypt):
  --batch-size <n>     Integrations per transaction (default 100)
  --json               Print {"reencrypted": n, "remaining": n} on stdout
  -h, --help           Show this help

Uses DATABASE_URL, or (when unset, outside production) the embedded PostgreSQL under DATA_DIR
(default ./.data) that \`npm start\` uses; a running \`npm start\` on the same folder is reused.
`;

const COMMANDS = ['bootstrap', 'reencrypt', 'revoke-key', 'keys list', 'keys create', 'keys revoke', 'token mint'];
const ID_OPTIONS = ['organization', 'environment', 'user', 'id'] as const;
type IdOption = (typeof ID_OPTIONS)[number];
const REQUIRED_OPTIONS: Record<string, readonly IdOption[]> = {
  'keys list': ['organization'],
  'keys create': ['environment'],
  'keys revoke': ['id'],
  'token mint': ['organization'],
};
const ALLOWED_OPTIONS: Record<string, readonly IdOption[]> = { ...REQUIRED_OPTIONS, 'token mint': ['organization', 'user', 'environment'] };

/** Nest's console logger, but every line to stderr so that stdout carries only the result. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, any>,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack, params);
  }
}

class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [first, ...rest] = positionals;
  if (!first) throw new UsageError('no command given');
  const grouped = first === 'keys' || first === 'token';
  if (grouped && !rest[0]) throw new UsageError(`"${first}" needs a subcommand`);
  const command = grouped ? `${first} ${rest[0]}` : first;
  const extra = grouped ? rest.slice(1) : rest;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
  const required = REQUIRED_OPTIONS[command] ?? [];
  for (const option of required) {
    if (!values[option]?.trim()) throw new UsageError(`${command} needs --${option} <id>`);
  }
  for (const option of ID_OPTIONS) {
    if (values[option] !== undefined && !(ALLOWED_OPTIONS[command] ?? []).includes(option)) {
      throw new UsageError(`--${option} does not apply to ${command}`);
    }
  }
  const keyToRevoke = command === 'revoke-key' ? await readStdin() : undefined;
  if (command === 'revoke-key' && !keyToRevoke) throw new UsageError('revoke-key reads the API key from standard input; none was given');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.name !== undefined && !values.name.trim()) throw new UsageError('--name must not be empty');
  const batchSize = values['batch-size'] === undefined ? 100 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new UsageError('--batch-size must be a whole number from 1 to 10000');
  }

  const logger = new StderrLogger('CLI', { logLevels: ['fatal', 'error', 'warn', 'log'], colors: process.stderr.isTTY === true });
  const env = loadConfig(process.env, { log: (message) => logger.log(message) });
  const { config, embedded } = await resolveDatabase(env, (message) => logger.log(message));
  try {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
      logger: new StderrLogger('CLI', { logLevels: ['fatal', 'error', 'warn'], colors: process.stderr.isTTY === true }),
      abortOnError: false,
    });
    embedded?.beforeStop(() => context.close());
    try {
      if (command.startsWith('keys ') || command.startsWith('token ')) {
        const result = await runLifecycleCommand(context, command, values);
        process.stdout.write(values.json ? `${JSON.stringify(result.json)}\n` : result.text);
        return 0;
      }
      if (command === 'revoke-key') {
        const principal = await context.get(AuthenticateApiKey).execute(keyToRevoke!);
        if (!principal) throw new Error('API key not found (unknown, or already revoked)');
        await context.get(RevokeApiKey).execute(principal.apiKeyId);
        const result = { revoked: true, apiKeyId: principal.apiKeyId, environmentId: principal.environmentId };
        process.stdout.write(
          values.json
            ? `${JSON.stringify(result)}\n`
            : `Revoked API key ${principal.apiKeyId} of environment ${principal.environmentId}.\n`,
        );
        return 0;
      }
      if (command === 'reencrypt') {
        const result = await context.get(ReencryptCredentials).execute({
          batchSize,
          onProgress: (done, remaining) => logger.log(`re-encrypted ${done} integration(s), ${remaining} left`),
        });
        process.stdout.write(
          values.json ? `${JSON.stringify(result)}\n` : `Re-encrypted ${result.reencrypted} integration(s); ${result.remaining} left.\n`,
        );
        return result.remaining === 0 ? 0 : 1;
      }
      const result = await context.get(BootstrapOrganization).execute({ organizationName: values.name?.trim() });
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : humanReadable(result));
      return 0;
    } finally {
      await context.close();
    }
  } finally {
    await embedded?.stop();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      'batch-size': { type: 'string' },
      organization: { type: 'string' },
      environment: { type: 'string' },
      user: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

interface CommandOutput {
  readonly json: unknown;
  readonly text: string;
}

/** `keys list|create|revoke` and `token mint`; a TenancyError (unknown id…) becomes a plain failure. */
async function runLifecycleCommand(
  context: INestApplicationContext,
  command: string,
  values: Partial<Record<IdOption, string>>,
): Promise<CommandOutput> {
  const id = (option: IdOption): string | undefined => values[option]?.trim();
  try {
    switch (command) {
      case 'keys list': {
        const keys = await context.get(ListApiKeys).execute({ organizationId: id('organization')! });
        return { json: { organizationId: id('organization'), apiKeys: keys }, text: keysTable(keys) };
      }
      case 'keys create': {
        const key = await context.get(CreateApiKey).execute({ environmentId: id('environment')! });
        return {
          json: key,
          text: `API key ${key.id} of environment ${key.environmentId}:\n  ${key.apiKey}\n(The secret is shown only now.)\n`,
        };
      }
      case 'keys revoke': {
        await context.get(RevokeApiKey).execute(id('id')!);
        return { json: { revoked: true, apiKeyId: id('id') }, text: `Revoked API key ${id('id')}.\n` };
      }
      default: {
        const minted = await context.get(MintSessionToken).execute({
          organizationId: id('organization')!,
          userId: id('user'),
          environmentId: id('environment'),
        });
        const expires = new Date(minted.expiresAt * 1000).toISOString();
        return {
          json: minted,
          text: `Session token of user ${minted.userId} (environment ${minted.environmentId}, expires ${expires}):\n  ${minted.sessionToken}\n`,
        };
      }
    }
  } catch (error) {
    if (error instanceof TenancyError) throw new CommandFailure(error.message);
    throw error;
  }
}

/** A failure to report in one line (exit 1), without a stack. */
class CommandFailure extends Error {}

function keysTable(keys: readonly ApiKeySummary[]): string {
  if (keys.length === 0) return 'No API keys.\n';
  const rows = keys.map((key) => [
    key.id,
    `${key.environmentName} (${key.environmentId})`,
    key.createdAt.toISOString(),
    key.lastUsedAt?.toISOString() ?? 'never',
    key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active',
  ]);
  const header = ['ID', 'ENVIRONMENT', 'CREATED', 'LAST USED', 'STATUS'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  return (
    [header, ...rows]
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Standard input, trimmed; empty when it is a terminal nobody types into or nothing was piped. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function humanReadable(result: BootstrapResult): string {
  return [
    `Organization: ${result.organizationId}`,
    ...result.environments.map((environment) => `${environment.name} environment: ${environment.id}\n  API key: ${environment.apiKey}`),
    `Session token: ${result.sessionToken}`,
    '(The API keys and the token are shown only now.)',
    '',
  ].join('\n');
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${HELP}`);
      process.exit(2);
    }
    const message =
      error instanceof ConfigError || error instanceof CommandFailure || !(error instanceof Error)
        ? String((error as Error)?.message ?? error)
        : (error.stack ?? error.message);
    process.stderr.write(`Error: ${message}\n`);
    process.exit(1);
  },
);
