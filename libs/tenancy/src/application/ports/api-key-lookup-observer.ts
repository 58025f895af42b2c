/**
 * Told whether each API-key lookup was answered from the in-process cache (`hit`) or went to the
 * database (`miss`), so that a host can count them (the API's Prometheus metrics do) without this
 * library depending on a metrics client. Must not throw and must return at once.
 */
export abstract class ApiKeyLookupObserver {
  abstract looked(up: 'hit' | 'miss'): void;
}

/** The default observer: a host that gives none counts nothing. */
export class IgnoredApiKeyLookups extends ApiKeyLookupObserver {
  looked(): void {}
}
