export interface ReencryptionBatch {
  /** Integrations re-encrypted by this batch. */
  readonly reencrypted: number;
  /** Integrations still holding a value encrypted with another key after this batch. */
  readonly remaining: number;
}

/** Moves stored secrets onto the current encryption key, a batch at a time. */
export abstract class CredentialsKeyRotation {
  /**
   * Re-encrypts up to `limit` integrations (deleted ones included) whose credentials or webhook
   * signing key were encrypted with a key other than the current one. Rows locked by a concurrent
   * writer are skipped and picked up by a later batch.
   */
  abstract reencryptBatch(limit: number): Promise<ReencryptionBatch>;
}
