import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { PinoLogger } from 'nestjs-pino';
import nodemailer, { Transporter } from 'nodemailer';

import { newAccessToken } from '../../../../libs/auth/src/access-links';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { formatterFor } from '../../../../libs/locale/src';
import type { EmailKind } from '../../../../libs/queue/src/email-outbox';
import { EmailJob } from '../../../../libs/queue/src/queues';
import { RECORD_KINDS } from '../../../../libs/records/src/kinds';
import { portalUrlFor, PRIMARY_HOST_SQL } from '../../../../libs/tenancy/src/portal-url';
import { composeProposalResponse } from './compose-proposal-response';
import { composeRequestReceived, composeRequestSubmitted } from './service-request-emails';

interface DeliveryRow {
  id: string;
  kind: EmailKind;
  recipient: string;
  status: string;
  access_token_id: string | null;
  requested_by: string | null;
  details: Record<string, unknown>;
}

interface BrandRow {
  slug: string;
  tenant_name: string;
  locale: string;
  time_zone: string;
  company_name: string;
  primary_color: string;
  accent_color: string;
  support_email: string | null;
  support_phone: string | null;
  address: string | null;
  logo: Buffer | null;
  logo_content_type: string | null;
  primary_host: string | null;
}

interface LinkRow {
  id: string;
  purpose: 'invitation' | 'password_reset';
  expires_at: Date;
  usable: boolean;
  portal_user_id: string | null;
  staff_user_id: string | null;
  holder_name: string | null;
  holder_email: string;
  customer_company: string | null;
  staff_role: string | null;
  inviter_name: string | null;
  created_by: string | null;
}

/** What a kind's template needs beyond the brand: a subject, the fields, or a reason not to send. */
type Composed = { subject: string; fields: Record<string, unknown> } | { cancel: string };

const TEMPLATES = join(__dirname, 'templates');
const handlebars = Handlebars.create();

function compile(name: string) {
  return {
    html: handlebars.compile(readFileSync(join(TEMPLATES, `${name}.html.hbs`), 'utf8'), { strict: false }),
    // Plain text is not HTML, so nothing in it is entity-escaped.
    text: handlebars.compile(readFileSync(join(TEMPLATES, `${name}.text.hbs`), 'utf8'), { noEscape: true }),
  };
}

const KIND_TEMPLATES: Record<EmailKind, ReturnType<typeof compile>> = {
  branding_test: compile('branding-test'),
  invitation: compile('invitation'),
  password_reset: compile('password-reset'),
  document_shared: compile('document-shared'),
  proposal_responded: compile('proposal-responded'),
  service_request_received: compile('service-request-received'),
  service_request_submitted: compile('service-request-submitted'),
};
const LAYOUT = compile('layout');
const RECORD_SLUGS = new Map(RECORD_KINDS.map((kind) => [kind.slug, kind]));
/** The table behind each record kind's URL segment. */
const RECORD_TABLES: Record<string, string> = {
  'inspection-reports': 'inspection_reports',
  invoices: 'invoices',
  compliance: 'compliance_requirements',
  'compliance-documents': 'compliance_documents',
  contracts: 'contracts',
  proposals: 'proposals',
  equipment: 'equipment',
  'work-orders': 'work_orders',
  warranties: 'warranties',
  'service-requests': 'service_requests',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type SendOutcome = 'sent' | 'already-sent' | 'missing' | 'cancelled';

/**
 * Asks nodemailer to keep SMTP connections open between messages, unless
 * the URL already sets `pool`, because connecting per message costs a handshake
 * and the server's greeting delay every time.
 */
function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return url.toString();
}

/**
 * Sends one recorded email in the tenant's branding. The delivery row is
 * locked while the message goes out and marked sent in the same
 * transaction, so a job that runs twice sends once.
 *
 * A set-password link gets its token here: a fresh random token goes into
 * the message and only its hash into the database, in the transaction that
 * marks the delivery sent. A link voided or spent before its email left is
 * not sent at all.
 *
 * NOTE: a worker that dies after the SMTP server accepted the message but
 * before the commit sends it again on retry; SMTP offers no way to close
 * that window. The first message's link then never opens anything, since
 * its hash was never committed.
 */
@Injectable()
export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly logger: PinoLogger,
  ) {
    this.transport = nodemailer.createTransport(pooled(config.SMTP_URL));
    this.logger.setContext(EmailSender.name);
  }

  /**
   * Closes the connection pool. The email processor calls this after its
   * BullMQ worker has closed, because Nest runs every shutdown hook at once
   * and a pool closed while jobs still run fails them halfway.
   */
  close(): void {
    this.transport.close();
  }

  async send(job: EmailJob, maxAttempts = 5): Promise<SendOutcome> {
    try {
      return await this.db.asWorkerFor(job.tenantId, (db) => this.sendLocked(db, job));
    } catch (error) {
      this.logger.error({ err: error, ...job }, 'email send failed');
      await this.db
        .asWorkerFor(job.tenantId, (db) =>
          db.execute(
            `UPDATE email_deliveries SET attempts = attempts + 1, last_error = ?,
               status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE status END
             WHERE id = ? AND status = 'queued'`,
            [String((error as Error).message ?? error).slice(0, 500), maxAttempts, job.deliveryId],
          ),
        )
        .catch(() => undefined);
      throw error;
    }
  }

  private async sendLocked(db: SqlExecutor, job: EmailJob): Promise<SendOutcome> {
    const [delivery] = await db.execute<DeliveryRow[]>(
      `SELECT id, kind, recipient, status, access_token_id, requested_by, details
       FROM email_deliveries WHERE id = ? FOR UPDATE`,
      [job.deliveryId],
    );
    if (!delivery) {
      this.logger.warn({ ...job }, 'email delivery not found for this tenant');
      return 'missing';
    }
    if (delivery.status !== 'queued') {
      this.logger.info({ ...job, status: delivery.status }, 'email no longer queued, job skipped');
      return 'already-sent';
    }

    const [brand] = await db.execute<BrandRow[]>(
      `SELECT t.slug, t.name AS tenant_name, t.locale, t.time_zone, b.company_name, b.primary_color, b.accent_color,
              b.support_email, b.support_phone, b.address, b.logo, b.logo_content_type,
              ${PRIMARY_HOST_SQL} AS primary_host
       FROM tenants t JOIN brandings b ON b.tenant_id = t.id`,
    );
    // Links come from configuration and the tenant's own domains, never from a request.
    const portalUrl = portalUrlFor(this.config, { slug: brand.slug, primaryHost: brand.primary_host });

    const composed = await this.composeKind(db, delivery, brand, portalUrl);
    if ('cancel' in composed) {
      await db.execute(`UPDATE email_deliveries SET status = 'cancelled', last_error = ? WHERE id = ?`, [composed.cancel, delivery.id]);
      this.logger.info({ ...job, kind: delivery.kind, reason: composed.cancel }, 'email cancelled');
      return 'cancelled';
    }

    const info = await this.transport.sendMail(this.message(delivery, brand, portalUrl, composed));
    await db.execute(
      "UPDATE email_deliveries SET status = 'sent', sent_at = now(), message_id = ?, attempts = attempts + 1 WHERE id = ?",
      [info.messageId, delivery.id],
    );
    this.logger.info({ ...job, kind: delivery.kind }, 'email sent');
    return 'sent';
  }

  private async composeKind(db: SqlExecutor, delivery: DeliveryRow, brand: BrandRow, portalUrl: string): Promise<Composed> {
    switch (delivery.kind) {
      case 'branding_test':
        return { subject: `Test email from ${brand.company_name}`, fields: {} };
      case 'invitation':
      case 'password_reset':
        return this.composeLink(db, delivery, brand, portalUrl);
      case 'document_shared':
        return this.composeDocument(db, delivery, brand, portalUrl);
      case 'proposal_responded':
        return composeProposalResponse(db, delivery.details, brand, this.config.CONSOLE_PUBLIC_URL);
      case 'service_request_received':
        return composeRequestReceived(db, delivery, brand, portalUrl);
      case 'service_request_submitted':
        return composeRequestSubmitted(db, delivery, this.config.CONSOLE_PUBLIC_URL);
    }
  }

  private async composeLink(db: SqlExecutor, delivery: DeliveryRow, brand: BrandRow, portalUrl: string): Promise<Composed> {
    const [link] = await db.execute<LinkRow[]>(
      `SELECT t.id, t.purpose, t.expires_at, t.portal_user_id, t.staff_user_id, t.created_by,
              (t.used_at IS NULL AND t.voided_at IS NULL AND t.expires_at > now()) AS usable,
              coalesce(p.name, s.name) AS holder_name, coalesce(p.email, s.email) AS holder_email,
              c.name AS customer_company, s.role AS staff_role, inviter.name AS inviter_name
       FROM access_tokens t
       LEFT JOIN portal_users p ON p.tenant_id = t.tenant_id AND p.id = t.portal_user_id
       LEFT JOIN customer_companies c ON c.tenant_id = p.tenant_id AND c.id = p.company_id
       LEFT JOIN staff_users s ON s.tenant_id = t.tenant_id AND s.id = t.staff_user_id
       LEFT JOIN staff_users inviter ON inviter.tenant_id = t.tenant_id AND inviter.id = t.created_by
       WHERE t.id = ? FOR UPDATE OF t`,
      [delivery.access_token_id],
    );
    if (!link) return { cancel: 'the link no longer exists' };
    if (!link.usable) return { cancel: 'the link was used, replaced or has expired before the email left' };
    if (link.holder_email !== delivery.recipient) return { cancel: 'the user changed email address' };

    const { token, hash } = newAccessToken();
    await db.execute('UPDATE access_tokens SET token_hash = ? WHERE id = ?', [hash, link.id]);

    const forStaff = link.staff_user_id !== null;
    const url = forStaff
      ? `${this.config.CONSOLE_PUBLIC_URL}/reset-password?workspace=${encodeURIComponent(brand.slug)}&token=${token}`
      : `${portalUrl}/set-password?token=${token}`;
    const format = formatterFor(brand.locale, brand.time_zone);
    const fields = {
      url,
      forStaff,
      name: link.holder_name,
      customerCompany: link.customer_company,
      role: link.staff_role,
      inviter: link.inviter_name,
      workspace: brand.slug,
      // A reset that staff started already cleared the old password.
      resetByStaff: link.purpose === 'password_reset' && link.created_by !== null,
      expires: format.dateTime(link.expires_at),
    };
    const subject =
      link.purpose === 'invitation'
        ? forStaff
          ? `You are invited to the ${brand.company_name} staff console`
          : `Your ${brand.company_name} customer portal invitation`
        : `Set a new password for ${brand.company_name}`;
    return { subject, fields };
  }

  private async composeDocument(db: SqlExecutor, delivery: DeliveryRow, brand: BrandRow, portalUrl: string): Promise<Composed> {
    const kind = RECORD_SLUGS.get(String(delivery.details.kind));
    const recordId = String(delivery.details.recordId);
    if (!kind || !RECORD_TABLES[kind.slug] || !UUID.test(recordId)) return { cancel: 'the delivery names no known record' };
    // Checked again at send time: the record may have been unshared, or the
    // user disabled or moved to another company, since the email was queued.
    const [user] = await db.execute<Array<{ name: string | null }>>(
      `SELECT u.name FROM ${RECORD_TABLES[kind.slug]} r
       JOIN portal_users u ON u.tenant_id = r.tenant_id AND u.company_id = r.company_id
       WHERE r.id = ? AND r.shared_at IS NOT NULL AND u.email = ? AND u.status = 'active'`,
      [recordId, delivery.recipient],
    );
    if (!user) return { cancel: 'the record is no longer shared with the recipient' };
    const label = typeof delivery.details.label === 'string' ? delivery.details.label.slice(0, 200) : kind.title;
    return {
      subject: `New in your ${brand.company_name} portal: ${label}`,
      fields: { url: `${portalUrl}/${kind.slug}/${recordId}`, label, name: user.name },
    };
  }

  private message(delivery: DeliveryRow, brand: BrandRow, portalUrl: string, composed: { subject: string; fields: Record<string, unknown> }) {
    const logoCid = brand.logo ? 'logo@portal' : null;
    const context = { brand, portalUrl, logoCid, ...composed.fields };
    const template = KIND_TEMPLATES[delivery.kind];
    return {
      from: { name: brand.company_name, address: this.config.MAIL_FROM_ADDRESS },
      replyTo: brand.support_email ?? undefined,
      to: delivery.recipient,
      subject: composed.subject,
      html: LAYOUT.html({ ...context, content: template.html(context) }),
      text: LAYOUT.text({ ...context, content: template.text(context) }),
      attachments: brand.logo
        ? [{ filename: 'logo', content: brand.logo, contentType: brand.logo_content_type ?? undefined, cid: logoCid! }]
        : [],
    };
  }
}
