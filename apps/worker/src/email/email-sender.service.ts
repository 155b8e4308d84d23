import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Handlebars from 'handlebars';
import { PinoLogger } from 'nestjs-pino';
import nodemailer, { Transporter } from 'nodemailer';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EmailJob } from '../../../../libs/queue/src/queues';

interface DeliveryRow {
  id: string;
  kind: 'branding_test';
  recipient: string;
  status: string;
}

interface BrandRow {
  slug: string;
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

const TEMPLATES = join(__dirname, 'templates');
const SUBJECTS: Record<DeliveryRow['kind'], (company: string) => string> = {
  branding_test: (company) => `Test email from ${company}`,
};

function compile(kind: string) {
  return {
    html: Handlebars.compile(readFileSync(join(TEMPLATES, `${kind.replace('_', '-')}.html.hbs`), 'utf8')),
    // Plain text is not HTML, so nothing in it is entity-escaped.
    text: Handlebars.compile(readFileSync(join(TEMPLATES, `${kind.replace('_', '-')}.text.hbs`), 'utf8'), { noEscape: true }),
  };
}

export type SendOutcome = 'sent' | 'already-sent' | 'missing';

/**
 * Sends one recorded email in the tenant's branding. The delivery row is
 * locked while the message goes out and marked sent in the same
 * transaction, so a job that runs twice sends once.
 * NOTE: a worker that dies after the SMTP server accepted the message but
 * before the commit sends it again on retry; SMTP offers no way to close
 * that window.
 */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly templates = { branding_test: compile('branding_test') };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly logger: PinoLogger,
  ) {
    this.transport = nodemailer.createTransport(config.SMTP_URL);
    this.logger.setContext(EmailSender.name);
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }

  async send(job: EmailJob): Promise<SendOutcome> {
    try {
      return await this.db.asWorkerFor(job.tenantId, async (db) => {
        const [delivery] = await db.execute<DeliveryRow[]>(
          'SELECT id, kind, recipient, status FROM email_deliveries WHERE id = ? FOR UPDATE',
          [job.deliveryId],
        );
        if (!delivery) {
          this.logger.warn({ ...job }, 'email delivery not found for this tenant');
          return 'missing';
        }
        if (delivery.status === 'sent') {
          this.logger.info({ ...job }, 'email already sent, job skipped');
          return 'already-sent';
        }

        const [brand] = await db.execute<BrandRow[]>(
          `SELECT t.slug, b.company_name, b.primary_color, b.accent_color, b.support_email, b.support_phone,
                  b.address, b.logo, b.logo_content_type,
                  (SELECT hostname FROM tenant_domains WHERE is_primary AND verified_at IS NOT NULL LIMIT 1) AS primary_host
           FROM tenants t JOIN brandings b ON b.tenant_id = t.id`,
        );
        const info = await this.transport.sendMail(this.compose(delivery, brand));
        await db.execute(
          "UPDATE email_deliveries SET status = 'sent', sent_at = now(), message_id = ?, attempts = attempts + 1 WHERE id = ?",
          [info.messageId, delivery.id],
        );
        this.logger.info({ ...job, kind: delivery.kind }, 'email sent');
        return 'sent';
      });
    } catch (error) {
      this.logger.error({ err: error, ...job }, 'email send failed');
      await this.db
        .asWorkerFor(job.tenantId, (db) =>
          db.execute('UPDATE email_deliveries SET attempts = attempts + 1, last_error = ? WHERE id = ?', [
            String((error as Error).message ?? error).slice(0, 500),
            job.deliveryId,
          ]),
        )
        .catch(() => undefined);
      throw error;
    }
  }

  private compose(delivery: DeliveryRow, brand: BrandRow) {
    // Links come from configuration and the tenant's own domains, never from a request.
    const host = brand.primary_host ?? `${brand.slug}.${this.config.PORTAL_BASE_DOMAIN}`;
    const portalUrl = this.config.PORTAL_PUBLIC_URL_TEMPLATE.replace('{host}', host);
    const logoCid = brand.logo ? 'logo@portal' : null;
    const context = { brand, portalUrl, logoCid };
    const template = this.templates[delivery.kind];
    return {
      from: { name: brand.company_name, address: this.config.MAIL_FROM_ADDRESS },
      replyTo: brand.support_email ?? undefined,
      to: delivery.recipient,
      subject: SUBJECTS[delivery.kind](brand.company_name),
      html: template.html(context),
      text: template.text(context),
      attachments: brand.logo
        ? [{ filename: 'logo', content: brand.logo, contentType: brand.logo_content_type ?? undefined, cid: logoCid! }]
        : [],
    };
  }
}
