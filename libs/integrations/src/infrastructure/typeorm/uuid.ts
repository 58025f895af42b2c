/** Any RFC 4122-shaped UUID (PostgreSQL's `uuid` type accepts every version). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether PostgreSQL would accept this string as a `uuid` (so a query cannot fail with 22P02). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
