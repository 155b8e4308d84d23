/** Queue names, in one place so producers and workers cannot drift apart. */
export const EMAIL_QUEUE = 'email';

/** Payload of an email job: ids only; the worker loads and checks the rest. */
export interface EmailJob {
  tenantId: string;
  deliveryId: string;
}

/** Bulk invitations of portal users from an uploaded CSV file. */
export const USER_IMPORT_QUEUE = 'user-imports';

/** Payload of a user import job: ids only, because the rows wait in user_import_rows. */
export interface UserImportJob {
  tenantId: string;
  importId: string;
}
