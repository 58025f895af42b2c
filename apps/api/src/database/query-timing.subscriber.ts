import { Logger } from '@nestjs/common';
import { AfterQueryEvent, EntitySubscriberInterface, EventSubscriber } from 'typeorm';

/** Long statements (a migration's DDL) are cut in the log line. */
export const MAX_LOGGED_SQL_LENGTH = 300;

/**
 * LOG_LEVEL=debug: one line per query with its duration and its SQL text — never its parameters,
 * which carry encrypted credentials, key hashes and idempotency fingerprints.
 */
@EventSubscriber()
export class QueryTimingSubscriber implements EntitySubscriberInterface {
  private readonly logger = new Logger('Query');

  afterQuery(event: AfterQueryEvent): void {
    this.logger.debug(queryLine(event));
  }
}

export function queryLine(event: Pick<AfterQueryEvent, 'query' | 'executionTime' | 'success'>): string {
  const sql = event.query.replace(/\s+/g, ' ').trim();
  const shown = sql.length > MAX_LOGGED_SQL_LENGTH ? `${sql.slice(0, MAX_LOGGED_SQL_LENGTH)}…` : sql;
  const took = event.executionTime === undefined ? '' : ` in ${event.executionTime} ms`;
  return `Query ${event.success ? 'ran' : 'failed'}${took}: ${shown}`;
}
