import { Migration20261204000000_roles } from './Migration20261204000000_roles';
import { Migration20261204000100_schema } from './Migration20261204000100_schema';

/** Migrations in order; listed by hand so compiled and ts-node runs find the same set. */
export const MIGRATIONS = [
  { name: 'Migration20261204000000_roles', class: Migration20261204000000_roles },
  { name: 'Migration20261204000100_schema', class: Migration20261204000100_schema },
];
