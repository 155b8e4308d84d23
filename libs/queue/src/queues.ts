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

/** Rendering a document to PDF and storing it. */
export const DOCUMENT_QUEUE = 'documents';

/** Payload of a render job: the document as a company's customers see it. The job id derives from its storage key. */
export interface DocumentJob {
  tenantId: string;
  companyId: string;
  kind: 'inspection-report' | 'invoice' | 'proposal' | 'contract' | 'work-order' | 'compliance-summary';
  recordId: string;
}

/** Sending one webhook delivery, retried by BullMQ with exponential backoff. */
export const WEBHOOK_QUEUE = 'webhooks';

/**
 * Payload of a webhook job: ids only. The job id is `<deliveryId>-r<round>`,
 * so a manual redelivery, which raises the round, is a new job.
 */
export interface WebhookJob {
  tenantId: string;
  deliveryId: string;
  round: number;
}

/** Checking a custom domain's verification TXT record. */
export const DOMAIN_VERIFICATION_QUEUE = 'domain-verifications';

/** Payload of a domain verification job: ids only; the worker reads the hostname and token itself. */
export interface DomainVerificationJob {
  tenantId: string;
  domainId: string;
}
