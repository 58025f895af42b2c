import { Injectable } from '@nestjs/common';
import { CredentialsKeyRotation } from '../ports/credentials-key-rotation';

export interface ReencryptCredentialsCommand {
  /** Integrations per transaction (default 100). */
  readonly batchSize?: number;
  /** Called after every batch with the running total and what is left. */
  readonly onProgress?: (reencrypted: number, remaining: number) => void;
}

/**
 * After a new key is put first in the key list, re-encrypts every stored secret with it, so the
 * old key can later be dropped (docs/contract.md §7). Safe to run while the service serves requests.
 */
@Injectable()
export class ReencryptCredentials {
  constructor(private readonly rotation: CredentialsKeyRotation) {}

  async execute(command: ReencryptCredentialsCommand = {}): Promise<{ reencrypted: number; remaining: number }> {
    const batchSize = command.batchSize ?? 100;
    let reencrypted = 0;
    for (;;) {
      const batch = await this.rotation.reencryptBatch(batchSize);
      reencrypted += batch.reencrypted;
      command.onProgress?.(reencrypted, batch.remaining);
      // A batch that moved nothing while rows remain means they are all locked right now.
      if (batch.remaining === 0 || batch.reencrypted === 0) return { reencrypted, remaining: batch.remaining };
    }
  }
}
