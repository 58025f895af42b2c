import { ClassProvider, Provider, ValueProvider } from '@nestjs/common';
import { EnvironmentDirectory, EnvironmentRef } from './application/ports/environment-directory';
import { TypeOrmEnvironmentDirectory } from './infrastructure/typeorm/typeorm-environment.directory';
import { IntegrationsModule } from './integrations.module';

class HostDirectory extends EnvironmentDirectory {
  async find(): Promise<EnvironmentRef | undefined> {
    return undefined;
  }
}

const encryptionKeys = [{ id: 'k1', key: Buffer.alloc(32).toString('base64') }];

function directoryOf(providers: Provider[] | undefined): unknown {
  const bindings = (providers ?? []).filter(
    (provider): provider is ClassProvider =>
      typeof provider === 'object' && 'provide' in provider && provider.provide === EnvironmentDirectory,
  );
  expect(bindings).toHaveLength(1);
  return bindings[0].useClass;
}

describe('IntegrationsModule: where environments are looked up', () => {
  it("defaults to the tenancy library's environments table", () => {
    expect(directoryOf(IntegrationsModule.forRoot({ encryptionKeys }).providers)).toBe(TypeOrmEnvironmentDirectory);
    expect(directoryOf(IntegrationsModule.forRootAsync({ useFactory: () => ({ encryptionKeys }) }).providers)).toBe(
      TypeOrmEnvironmentDirectory,
    );
  });

  it("takes the host's own directory in forRoot and forRootAsync, and keeps it out of the options", async () => {
    const sync = IntegrationsModule.forRoot({ encryptionKeys, environmentDirectory: HostDirectory });
    expect(directoryOf(sync.providers)).toBe(HostDirectory);
    const options = (sync.providers ?? []).find(
      (provider): provider is ValueProvider => typeof provider === 'object' && 'useValue' in provider,
    );
    expect(options?.useValue).toEqual({ encryptionKeys });

    const async = IntegrationsModule.forRootAsync({ useFactory: () => ({ encryptionKeys }), environmentDirectory: HostDirectory });
    expect(directoryOf(async.providers)).toBe(HostDirectory);
  });
});
