import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { settlesWithin } from '../shared/settles-within';

/** Whether PostgreSQL answers `SELECT 1` through the API's own pool within a time limit. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  isReachable(timeoutMs: number): Promise<boolean> {
    return settlesWithin(timeoutMs, this.dataSource.query('SELECT 1'), { unref: true }).catch(() => false);
  }
}
