import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnvironmentScope } from '../../../libs/integrations/src/domain/integration';
import { AesGcmCredentialsCipher } from '../../../libs/integrations/src/infrastructure/crypto/aes-gcm-credentials.cipher';
import { TypeOrmEnvironmentDirectory } from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-environment.directory';
import { TypeOrmIntegrationRepository } from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-integration.repository';
import { TypeOrmUnitOfWork } from '../../../libs/integrations/src/infrastructure/typeorm/typeorm-unit-of-work';
import { insertEnvironment } from '../../support/tenancy-rows';
import { createTestDatabase, openTestDataSource } from '../../support/test-database';

/** One fresh database per test file, with the integrations infrastructure built by `new`. */
export interface IntegrationsDb {
  readonly dataSource: DataSource;
  readonly cipher: AesGcmCredentialsCipher;
  readonly repository: TypeOrmIntegrationRepository;
  readonly unitOfWork: TypeOrmUnitOfWork;
  readonly environments: TypeOrmEnvironmentDirectory;
  /** Inserts an organization and one environment of it with raw SQL (the tenancy tables). */
  newEnvironment(organizationId?: string): Promise<EnvironmentScope>;
  close(): Promise<void>;
}

export async function openIntegrationsDb(): Promise<IntegrationsDb> {
  const database = await createTestDatabase();
  const dataSource = await openTestDataSource(database.url);
  const cipher = new AesGcmCredentialsCipher({ encryptionKeys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] });
  return {
    dataSource,
    cipher,
    repository: new TypeOrmIntegrationRepository(dataSource, cipher),
    unitOfWork: new TypeOrmUnitOfWork(dataSource),
    environments: new TypeOrmEnvironmentDirectory(dataSource),
    newEnvironment: (organizationId?: string) =>
      insertEnvironment(dataSource, { organizationId, existingOrganization: organizationId !== undefined }),
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** The PostgreSQL error of a rejected promise (`QueryFailedError.driverError`), for code/constraint checks. */
export async function driverErrorOf(promise: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await promise;
  } catch (error) {
    return ((error as { driverError?: object }).driverError ?? {}) as { code?: string; constraint?: string };
  }
  throw new Error('expected the statement to fail');
}
