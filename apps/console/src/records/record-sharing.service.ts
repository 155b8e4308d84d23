import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { invitePortalUser } from '../../../../libs/access/src/user-access';
import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EmailOutbox, OutgoingEmail } from '../../../../libs/queue/src/email-outbox';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { ConsoleDocuments } from '../documents/document-queue.service';
import { recordLabel, RecordNotFoundError, StaffRecordKind } from './staff-record-kinds';

/** A portal user to invite into the record's company in the same step as the share. */
export interface ShareInvitation {
  email: string;
  name: string;
  ttlMinutes: number;
}

export interface ShareOutcome {
  /** Records that were hidden and are shared now. */
  shared: number;
  /** Records that were shared already, which send nothing again. */
  alreadyShared: number;
  /** Emails recorded, one per active portal user of each newly shared record's company. */
  emails: number;
  /** Whether a portal user was invited in the same step. */
  invited: boolean;
}

interface SharedRow {
  id: string;
  company_id: string;
  record_number: string | null;
  record_title: string | null;
}

/**
 * Shares records with their company's portal users and hides them again.
 * A share changes the row, writes the activity entry and records the emails
 * in one transaction, and queues the emails only after it commits, so a
 * rolled-back share sends nothing.
 */
@Injectable()
export class RecordSharingService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: EmailOutbox,
    private readonly documents: ConsoleDocuments,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(RecordSharingService.name);
  }

  /**
   * Shares every record in `ids`. Only records that were hidden change and
   * send emails, so sharing twice emails once. When any id is not a record
   * of this kind in this tenant, nothing changes and the result is a 404.
   */
  async share(
    staffKind: StaffRecordKind,
    requestedIds: string[],
    origin: RequestOrigin,
    invitation?: ShareInvitation,
  ): Promise<ShareOutcome> {
    const staff = this.scope.staff();
    const ids = [...new Set(requestedIds)];
    const { outcome, deliveryIds, sharedRecords } = await this.db.asStaff(async (db) => {
      await this.lockAll(db, staffKind, ids);
      const invitationDelivery = invitation ? await this.invite(db, staffKind, ids, invitation, origin) : null;
      const changed = await db.execute<SharedRow[]>(
        `UPDATE ${staffKind.table} r SET shared_at = now(), updated_at = now()
         WHERE r.id = ANY(?::uuid[]) AND r.shared_at IS NULL
         RETURNING r.id, r.company_id, ${columnOrNull(staffKind.numberColumn)} AS record_number,
           ${columnOrNull(staffKind.titleColumn)} AS record_title`,
        [ids],
      );
      const recipients = await this.activeUsersOf(db, [...new Set(changed.map((row) => row.company_id))]);
      const notified = await this.alreadyNotified(db, changed.map((row) => row.id));

      const emails: OutgoingEmail[] = [];
      for (const row of changed) {
        const label = recordLabel(staffKind, row.record_number, row.record_title);
        // Hiding a record and sharing it again does not email the same person twice.
        const companyUsers = recipients.filter(
          (user) => user.company_id === row.company_id && !notified.has(`${row.id} ${user.email}`),
        );
        await recordActivity(
          db,
          {
            action: 'record.shared',
            actorType: 'staff',
            actorId: staff.userId,
            companyId: row.company_id,
            subjectType: staffKind.kind.slug,
            subjectId: row.id,
            details: { label, emails: companyUsers.length },
          },
          origin,
        );
        for (const user of companyUsers) {
          emails.push({
            kind: 'document_shared',
            recipient: user.email,
            requestedBy: staff.userId,
            details: { kind: staffKind.kind.slug, recordId: row.id, label },
          });
        }
      }
      const recorded = await this.outbox.record(db, emails);
      return {
        outcome: {
          shared: changed.length,
          alreadyShared: ids.length - changed.length,
          emails: recorded.length,
          invited: invitationDelivery !== null,
        },
        deliveryIds: invitationDelivery ? [invitationDelivery, ...recorded] : recorded,
        sharedRecords: changed.map((row) => ({ id: row.id, companyId: row.company_id })),
      };
    });

    await this.dispatch(staff.tenantId, deliveryIds);
    // Sharing queues the record's PDF, so customers find it ready.
    await this.documents.prerender(staff.tenantId, staffKind.kind.slug, sharedRecords);
    this.logger.info(
      { tenantId: staff.tenantId, staffUserId: staff.userId, kind: staffKind.kind.slug, recordIds: ids, ...outcome },
      'records shared',
    );
    return outcome;
  }

  /**
   * Hides a record from the portal at once and sends no email. Returns false
   * when it was hidden already. A record of another tenant is a 404. Share
   * emails still queued are dropped by the worker, which checks the record is
   * still shared when it sends.
   */
  async unshare(staffKind: StaffRecordKind, id: string, origin: RequestOrigin): Promise<boolean> {
    const staff = this.scope.staff();
    const changed = await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ company_id: string }>>(
        `UPDATE ${staffKind.table} SET shared_at = NULL, updated_at = now()
         WHERE id = ? AND shared_at IS NOT NULL RETURNING company_id`,
        [id],
      );
      if (rows.length === 0) {
        await this.lockAll(db, staffKind, [id]);
        return false;
      }
      await recordActivity(
        db,
        {
          action: 'record.unshared',
          actorType: 'staff',
          actorId: staff.userId,
          companyId: rows[0].company_id,
          subjectType: staffKind.kind.slug,
          subjectId: id,
        },
        origin,
      );
      return true;
    });

    if (changed) {
      const fields = { tenantId: staff.tenantId, staffUserId: staff.userId, kind: staffKind.kind.slug, recordId: id };
      this.logger.info(fields, 'record unshared');
    }
    return changed;
  }

  /**
   * Locks the records for the rest of the transaction, so a concurrent share
   * waits and then finds them shared. Row-level security hides other
   * tenants' rows, which therefore count as missing.
   */
  private async lockAll(db: SqlExecutor, staffKind: StaffRecordKind, ids: string[]): Promise<void> {
    const found = await db.execute<Array<{ id: string }>>(
      `SELECT id FROM ${staffKind.table} WHERE id = ANY(?::uuid[]) FOR UPDATE`,
      [ids],
    );
    if (found.length !== ids.length) throw new RecordNotFoundError(staffKind.kind.singular.toLowerCase());
  }

  /**
   * Invites a portal user into the company of the one record being shared.
   * Any refusal throws, which rolls the share back with it, so the two
   * happen together or not at all.
   */
  private async invite(
    db: SqlExecutor,
    staffKind: StaffRecordKind,
    ids: string[],
    invitation: ShareInvitation,
    origin: RequestOrigin,
  ): Promise<string> {
    if (ids.length !== 1) throw new InvalidInputError({ invite_email: 'can be given when sharing one record only' });
    const [record] = await db.execute<Array<{ company_id: string }>>(`SELECT company_id FROM ${staffKind.table} WHERE id = ?`, ids);
    const outcome = await invitePortalUser(
      db,
      { email: invitation.email, companyId: record.company_id, name: invitation.name },
      { staffUserId: this.scope.staff().userId, ttlMinutes: invitation.ttlMinutes, origin },
    );
    if (outcome.outcome !== 'invited') {
      throw new InvalidInputError({ invite_email: 'already belongs to a portal user; nothing was shared or sent' });
    }
    return outcome.deliveryId;
  }

  /** Pairs of record id and recipient that a new-document email was already queued or sent for. */
  private async alreadyNotified(db: SqlExecutor, recordIds: string[]): Promise<Set<string>> {
    if (recordIds.length === 0) return new Set();
    const rows = await db.execute<Array<{ record_id: string; recipient: string }>>(
      `SELECT details->>'recordId' AS record_id, recipient FROM email_deliveries
       WHERE kind = 'document_shared' AND details->>'recordId' = ANY(?::text[]) AND status IN ('queued', 'sent')`,
      [recordIds],
    );
    return new Set(rows.map((row) => `${row.record_id} ${row.recipient}`));
  }

  private async activeUsersOf(db: SqlExecutor, companyIds: string[]): Promise<Array<{ company_id: string; email: string }>> {
    if (companyIds.length === 0) return [];
    return db.execute(
      `SELECT company_id, email FROM portal_users WHERE company_id = ANY(?::uuid[]) AND status = 'active' ORDER BY email`,
      [companyIds],
    );
  }

  /**
   * Queues the committed deliveries. A Redis failure here does not undo the
   * share: the rows stay queued for the worker's sweep of old queued rows.
   */
  private async dispatch(tenantId: string, deliveryIds: string[]): Promise<void> {
    try {
      await this.outbox.dispatch(tenantId, deliveryIds);
    } catch (error) {
      const message = 'share emails recorded but not queued; the worker sweep will send them';
      this.logger.error({ err: error, tenantId, deliveryIds }, message);
    }
  }
}

function columnOrNull(column: string | null): string {
  return column ? `r.${column}` : 'NULL::text';
}
