import { IntegrationError } from '../../libs/integrations/src/domain/integration.errors';

/** The IntegrationError `run` throws (failing the test when it throws none or another error). */
export function refusalOf(run: () => unknown): IntegrationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }
  throw new Error('expected an IntegrationError');
}

/** The IntegrationError `promise` rejects with (failing the test when it resolves or rejects otherwise). */
export async function rejectionOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}
