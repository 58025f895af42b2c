import { Injectable } from '@nestjs/common';
import { CredentialsCipher, EncryptedValue, TransactionHandle, UnitOfWork } from '@app/integrations';
import type { StoredFingerprint } from '../idempotency-fingerprint';
import { IdempotencyScope, IdempotencyStore, Savepoint, StoredOutcome, UnreadableIdempotencyRecord } from '../idempotency.store';

/** Savepoints taken by this process so far (their names). */
let savepoints = 0;

/** Prefix of the advisory-lock key (the integrations repository uses `integrations:channel`). */
const LOCK_NAMESPACE = 'idempotency';

/** What the lock statement answers when another transaction holds the key (see `tryLock`), and `save` when a live record exists. */
const DIVISION_BY_ZERO = '22012';

/** Shown next to that error in the server's log. */
const LOCK_TAKEN_NOTE = 'division by zero = the idempotency key is in progress elsewhere (an expected 409)';

/** Shown next to a failed save in the server's log (never expected under the key's lock). */
const RECORD_EXISTS_NOTE = 'division by zero = a live record exists for this key: nothing saved';

/**
 * `IdempotencyStore` on PostgreSQL: transaction-scoped advisory locks and `idempotency_records`.
 * Request-time statements run on the transaction handle they are given (the integrations library's
 * `UnitOfWork`, which the use cases join); the background passes open their own through it.
 * Response bodies are stored encrypted (a session caller's response carries decrypted credentials),
 * with the integrations cipher and the organization + key as associated data.
 */
@Injectable()
export class TypeOrmIdempotencyStore extends IdempotencyStore {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly cipher: CredentialsCipher,
  ) {
    super();
  }

  async tryLock(transaction: TransactionHandle, scope: IdempotencyScope): Promise<boolean> {
    // A lock held elsewhere fails the statement instead of answering false: that aborts the
    // transaction, so the statements sent behind it (the use case's, pipelined) fail at once instead
    // of running — and perhaps waiting on the holder's locks — in a transaction about to roll back.
    try {
      await transaction.query(`SELECT 1 / pg_try_advisory_xact_lock(hashtextextended($1, 0))::int AS locked -- ${LOCK_TAKEN_NOTE}`, [
        lockKey(scope),
      ]);
      return true;
    } catch (error) {
      if (sqlState(error) === DIVISION_BY_ZERO) return false;
      throw error;
    }
  }

  async findLive(transaction: TransactionHandle, scope: IdempotencyScope): Promise<StoredOutcome | undefined> {
    const rows = await transaction.query<{
      request_hash: string;
      request_hash_key_id: string | null;
      status_code: number;
      response_body: string;
    }>(
      `SELECT request_hash, request_hash_key_id, status_code, response_body FROM idempotency_records
          WHERE organization_id = $1 AND idempotency_key = $2 AND expires_at > now()`,
      [scope.organizationId, scope.key],
    );
    const [row] = rows;
    if (!row) return undefined;
    const fingerprint: StoredFingerprint = { keyId: row.request_hash_key_id, hash: row.request_hash };
    let body: string;
    try {
      body = this.cipher.decrypt<string>(JSON.parse(row.response_body) as EncryptedValue, bodyAad(scope));
    } catch {
      // A retired key (or an altered row): the caller decides; nothing of the row travels on.
      throw new UnreadableIdempotencyRecord(fingerprint.keyId);
    }
    return { fingerprint, statusCode: Number(row.status_code), body };
  }

  async save(transaction: TransactionHandle, scope: IdempotencyScope, outcome: StoredOutcome, ttlMs: number): Promise<void> {
    // One statement (it may travel with the COMMIT: see DeferredTransaction.commit). Under the key's
    // lock nobody else writes this row: an expired row not yet purged is replaced; a live one makes
    // the statement fail (nothing saved: a division by zero), so that a COMMIT sent behind it rolls
    // back instead of committing writes without their record.
    try {
      await transaction.query(
        `WITH saved AS (
           INSERT INTO idempotency_records
             (organization_id, idempotency_key, request_hash, request_hash_key_id, status_code, response_body, created_at, expires_at)
           VALUES ($1, $2, $3, $7, $4, $5, now(), now() + make_interval(secs => $6::double precision / 1000))
           ON CONFLICT (organization_id, idempotency_key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, request_hash_key_id = EXCLUDED.request_hash_key_id,
                 status_code = EXCLUDED.status_code, response_body = EXCLUDED.response_body,
                 created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE idempotency_records.expires_at <= now()
           RETURNING 1)
         SELECT 1 / count(*)::int AS saved FROM saved -- ${RECORD_EXISTS_NOTE}`,
        [
          scope.organizationId,
          scope.key,
          outcome.fingerprint.hash,
          outcome.statusCode,
          JSON.stringify(this.cipher.encrypt(outcome.body, bodyAad(scope))),
          ttlMs,
          outcome.fingerprint.keyId,
        ],
      );
    } catch (error) {
      if (sqlState(error) === DIVISION_BY_ZERO) {
        throw new Error(`idempotency record for key of organization ${scope.organizationId} already exists`, { cause: error });
      }
      throw error;
    }
  }

  async savepoint(transaction: TransactionHandle): Promise<Savepoint> {
    // Unique in the process, hence in the transaction (a counter: random bytes cost a syscall each).
    const name = `idempotency_${(savepoints = (savepoints + 1) % Number.MAX_SAFE_INTEGER)}`;
    await transaction.query(`SAVEPOINT ${name}`);
    return { rollback: async () => void (await transaction.query(`ROLLBACK TO SAVEPOINT ${name}`)) };
  }

  async purgeExpired(limit: number): Promise<number> {
    // One statement in its own transaction (as auto-commit would run it).
    const deleted = await this.unitOfWork.run((transaction) =>
      transaction.query(
        `DELETE FROM idempotency_records WHERE ctid IN (
           SELECT ctid FROM idempotency_records WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING 1 AS deleted`,
        [limit],
      ),
    );
    return deleted.length;
  }

  async sealLegacyFingerprints(seal: (legacyHash: string) => StoredFingerprint, limit: number): Promise<number> {
    return this.unitOfWork.run(async (transaction) => {
      const rows = await transaction.query<{ organization_id: string; idempotency_key: string; request_hash: string }>(
        `SELECT organization_id, idempotency_key, request_hash FROM idempotency_records
          WHERE request_hash_key_id IS NULL LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      const sealed = rows.map((row) => seal(row.request_hash));
      await transaction.query(
        `UPDATE idempotency_records AS r SET request_hash = v.hash, request_hash_key_id = v.key_id
           FROM unnest($1::uuid[], $2::varchar[], $3::char(64)[], $4::varchar[]) AS v(organization_id, idempotency_key, hash, key_id)
          WHERE r.organization_id = v.organization_id AND r.idempotency_key = v.idempotency_key AND r.request_hash_key_id IS NULL`,
        [
          rows.map((row) => row.organization_id),
          rows.map((row) => row.idempotency_key),
          sealed.map((f) => f.hash),
          sealed.map((f) => f.keyId),
        ],
      );
      return rows.length;
    });
  }
}

/** The SQLSTATE of a failed statement (TypeORM's QueryFailedError carries the driver's error). */
function sqlState(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string } } | null)?.driverError?.code;
}

function bodyAad(scope: IdempotencyScope): string {
  return `idempotency:${scope.organizationId}:${scope.key}:response`;
}

function lockKey(scope: IdempotencyScope): string {
  return `${LOCK_NAMESPACE}:${scope.organizationId}:${scope.key}`;
}
