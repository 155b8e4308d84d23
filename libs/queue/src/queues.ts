/** Queue names, in one place so producers and workers cannot drift apart. */
export const EMAIL_QUEUE = 'email';

/** Payload of an email job: ids only; the worker loads and checks the rest. */
export interface EmailJob {
  tenantId: string;
  deliveryId: string;
}
