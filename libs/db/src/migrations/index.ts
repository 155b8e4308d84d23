import { Migration20261204000000_roles } from './Migration20261204000000_roles';
import { Migration20261204000100_schema } from './Migration20261204000100_schema';
import { Migration20261204000200_hide_unshared_inspections } from './Migration20261204000200_hide_unshared_inspections';
import { Migration20261204000300_email_deliveries } from './Migration20261204000300_email_deliveries';
import { Migration20261204000400_console_access } from './Migration20261204000400_console_access';
import { Migration20261204000500_record_attachments } from './Migration20261204000500_record_attachments';
import { Migration20261204000600_proposal_responses } from './Migration20261204000600_proposal_responses';
import { Migration20261204000700_service_requests } from './Migration20261204000700_service_requests';
import { Migration20261204000800_api_keys } from './Migration20261204000800_api_keys';
import { Migration20261204000900_webhooks } from './Migration20261204000900_webhooks';
import { Migration20261204001000_custom_domains } from './Migration20261204001000_custom_domains';

/** Migrations in order; listed by hand so compiled and ts-node runs find the same set. */
export const MIGRATIONS = [
  { name: 'Migration20261204000000_roles', class: Migration20261204000000_roles },
  { name: 'Migration20261204000100_schema', class: Migration20261204000100_schema },
  { name: 'Migration20261204000200_hide_unshared_inspections', class: Migration20261204000200_hide_unshared_inspections },
  { name: 'Migration20261204000300_email_deliveries', class: Migration20261204000300_email_deliveries },
  { name: 'Migration20261204000400_console_access', class: Migration20261204000400_console_access },
  { name: 'Migration20261204000500_record_attachments', class: Migration20261204000500_record_attachments },
  { name: 'Migration20261204000600_proposal_responses', class: Migration20261204000600_proposal_responses },
  { name: 'Migration20261204000700_service_requests', class: Migration20261204000700_service_requests },
  { name: 'Migration20261204000800_api_keys', class: Migration20261204000800_api_keys },
  { name: 'Migration20261204000900_webhooks', class: Migration20261204000900_webhooks },
  { name: 'Migration20261204001000_custom_domains', class: Migration20261204001000_custom_domains },
];
