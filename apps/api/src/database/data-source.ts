import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/**
 * For the TypeORM CLI, after `npm run build`:
 *   DATABASE_URL=postgres://… npx typeorm migration:show -d dist/apps/api/apps/api/src/database/data-source.js
 * (`migration:run` / `migration:revert` likewise). The API itself runs pending migrations on start.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL is not set (the TypeORM CLI needs postgres://user:password@host:5432/database)');
}

export default new DataSource({ ...dataSourceOptions(url), migrationsRun: false });
