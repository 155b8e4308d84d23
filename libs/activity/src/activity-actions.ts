import type { SqlExecutor } from '../../db/src/sql-executor';
import { RequestOrigin, recordPortalUserActivity } from './activity-log';

/** Actions the apps record, each with the label the console shows for it. */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'auth.login': 'Portal sign-in',
  'auth.login_failed': 'Portal sign-in failed',
  'auth.staff_login': 'Console sign-in',
  'auth.staff_login_failed': 'Console sign-in failed',
  'auth.invitation_accepted': 'Invitation accepted',
  'auth.password_reset': 'Password set from a reset link',
  'auth.password_reset_requested': 'Password reset requested',
  'user.invited': 'Portal user invited',
  'user.invitation_resent': 'Invitation sent again',
  'user.access_reset': 'Portal access reset',
  'user.disabled': 'Portal user disabled',
  'user.enabled': 'Portal user enabled',
  'user.import_started': 'Bulk invitation started',
  'staff.invited': 'Staff user invited',
  'staff.access_reset': 'Staff access reset',
  'staff.disabled': 'Staff user disabled',
  'staff.enabled': 'Staff user enabled',
  'record.shared': 'Record shared',
  'record.unshared': 'Record unshared',
  'record.attachment_added': 'PDF attached to a record',
  'record.attachment_removed': 'PDF removed from a record',
  'record.viewed': 'Record viewed',
  'document.downloaded': 'Document downloaded',
  'proposal.accepted': 'Proposal accepted',
  'proposal.declined': 'Proposal declined',
  'branding.updated': 'Branding changed',
  'service.request_submitted': 'Service request submitted',
  'service.work_order_created': 'Work order created from a service request',
  'service.lead_updated': 'Service request lead status changed',
  'service.request_closed': 'Service request closed',
  'service.intake_changed': 'Service request handling changed',
  'webhook.created': 'Webhook endpoint added',
  'webhook.updated': 'Webhook endpoint changed',
  'webhook.enabled': 'Webhook endpoint enabled',
  'webhook.disabled': 'Webhook endpoint disabled',
  'webhook.deleted': 'Webhook endpoint deleted',
  'webhook.secret_rotated': 'Webhook signing secret replaced',
  'webhook.redelivered': 'Webhook delivery sent again',
  'integration.key_created': 'API key created',
  'integration.key_revoked': 'API key revoked',
  'integration.record_created': 'Record created through the API',
  'integration.record_updated': 'Record changed through the API',
  'integration.record_deleted': 'Record deleted through the API',
  'domain.added': 'Custom domain added',
  'domain.removed': 'Custom domain removed',
  'domain.verification_requested': 'Custom domain verification requested',
  'domain.verified': 'Custom domain verified',
  'domain.primary_changed': 'Primary domain changed',
};

/** Returns the console label of an action, or the action itself when it has none. */
export function actionLabel(action: string): string {
  return Object.hasOwn(ACTION_LABELS, action) ? ACTION_LABELS[action] : action;
}

export const RECORD_VIEWED = 'record.viewed';
export const DOCUMENT_DOWNLOADED = 'document.downloaded';

/** The record a downloaded document belongs to, such as an inspection report's PDF. */
export interface DownloadedDocument {
  /** Record kind slug, such as "inspection-reports"; the console links it to the record page. */
  kind: string;
  recordId: string;
  /** The file's name as the portal user received it. */
  fileName?: string;
}

/**
 * Records that the signed-in portal user downloaded a document. Call it in
 * the `asCustomer` transaction that read the document's record, and only
 * after the record was found, so a refused or missing download records
 * nothing. The entry switches that transaction to asynchronous commit, so
 * do not call it in a transaction that also changes data.
 */
export function recordDocumentDownloaded(
  db: SqlExecutor,
  document: DownloadedDocument,
  origin: RequestOrigin,
): Promise<void> {
  return recordPortalUserActivity(
    db,
    {
      action: DOCUMENT_DOWNLOADED,
      subjectType: document.kind,
      subjectId: document.recordId,
      details: document.fileName ? { file_name: document.fileName.slice(0, 255) } : {},
    },
    origin,
    { asynchronousCommit: true },
  );
}
