import { Injectable } from '@nestjs/common';

import { TenantDatabase } from '../../db/src/tenant-database';
import { DUE_SOON_DAYS } from './kinds/compliance.kind';
import { withToday } from './list-query';
import { RecordsService } from './records.service';

export interface Dashboard {
  balances: Array<{ currency: string; outstanding_minor: string; overdue_minor: string; open_count: number }>;
  overdueInvoices: Array<Record<string, unknown>>;
  overdueCompliance: Array<Record<string, unknown>>;
  upcomingCompliance: Array<Record<string, unknown>>;
  openProposals: Array<Record<string, unknown>>;
  upcomingWorkOrders: Array<Record<string, unknown>>;
}

/** Loads "what needs my attention" for the signed-in user's company, in one transaction. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly records: RecordsService,
  ) {}

  async load(): Promise<Dashboard> {
    const { today, now } = this.records.queryContext();
    const sql = (text: string) => withToday(text, today);

    return this.db.asCustomer(async (db) => ({
      balances: await db.execute(
        sql(`SELECT currency, sum(balance_minor)::text AS outstanding_minor,
                sum(balance_minor) FILTER (WHERE due_on < :today)::text AS overdue_minor, count(*)::int AS open_count
             FROM invoices WHERE status = 'open' GROUP BY currency ORDER BY currency`),
      ),
      overdueInvoices: await db.execute(
        sql(`SELECT id, number, due_on, currency, balance_minor FROM invoices
             WHERE status = 'open' AND due_on < :today ORDER BY due_on, id LIMIT 5`),
      ),
      overdueCompliance: await db.execute(
        sql(`SELECT r.id, r.title, r.due_on, s.name AS site_name FROM compliance_requirements r
             JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
             WHERE r.completed_on IS NULL AND r.due_on < :today ORDER BY r.due_on, r.id LIMIT 5`),
      ),
      upcomingCompliance: await db.execute(
        sql(`SELECT r.id, r.title, r.due_on, s.name AS site_name FROM compliance_requirements r
             JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
             WHERE r.completed_on IS NULL AND r.due_on >= :today AND r.due_on <= :today + ${DUE_SOON_DAYS}
             ORDER BY r.due_on, r.id LIMIT 5`),
      ),
      openProposals: await db.execute(
        sql(`SELECT id, number, title, valid_until, currency, total_minor FROM proposals
             WHERE status = 'sent' AND valid_until >= :today ORDER BY valid_until, id LIMIT 5`),
      ),
      upcomingWorkOrders: await db.execute(
        `SELECT w.id, w.number, w.title, w.scheduled_start, s.name AS site_name FROM work_orders w
         JOIN sites s ON s.tenant_id = w.tenant_id AND s.id = w.site_id
         WHERE w.status = 'scheduled' AND w.scheduled_start >= ? ORDER BY w.scheduled_start, w.id LIMIT 5`,
        [now],
      ),
    }));
  }
}
