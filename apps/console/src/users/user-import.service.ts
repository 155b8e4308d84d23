import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { USER_IMPORT_QUEUE, UserImportJob } from '../../../../libs/queue/src/queues';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import type { ImportFileRow } from './import-file';

export type RowOutcome = 'pending' | 'invited' | 'skipped' | 'failed';

export interface ImportSummary {
  id: string;
  file_name: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total_rows: number;
  processed_rows: number;
  created_at: Date;
  finished_at: Date | null;
  created_by_name: string | null;
}

export interface ImportRowResult {
  line_number: number;
  email: string;
  company_ref: string;
  name: string | null;
  outcome: RowOutcome;
  message: string | null;
}

/** Maximum number of companies the upload page lists with their external ids. */
const COMPANIES_LISTED = 500;

/** Maximum number of skipped and failed rows the progress page lists. The CSV download has all of them. */
export const PROBLEM_ROWS_SHOWN = 500;
const RECENT_IMPORTS_SHOWN = 10;

const SUMMARY_COLUMNS = `i.id, i.file_name, i.status, i.total_rows, i.processed_rows, i.created_at, i.finished_at,
  s.name AS created_by_name
  FROM user_imports i LEFT JOIN staff_users s ON s.tenant_id = i.tenant_id AND s.id = i.created_by`;

/** Stores uploaded imports and reads their progress, always as the signed-in staff user's tenant. */
@Injectable()
export class UserImportService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @InjectQueue(USER_IMPORT_QUEUE) private readonly queue: Queue<UserImportJob>,
  ) {}

  /**
   * Stores the import and every row as pending in one transaction, then
   * queues one job for the worker once that has committed. The import id is
   * the job id, so the same import is never queued twice at once.
   */
  async start(fileName: string, rows: ImportFileRow[], origin: RequestOrigin): Promise<string> {
    const staff = this.scope.staff();
    const importId = await this.db.asStaff(async (db) => {
      const [created] = await db.execute<Array<{ id: string }>>(
        `INSERT INTO user_imports (tenant_id, file_name, total_rows, created_by)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?) RETURNING id`,
        [fileName, rows.length, staff.userId],
      );
      await db.execute(
        `INSERT INTO user_import_rows (tenant_id, import_id, line_number, email, company_ref, name)
         SELECT (SELECT app_current_tenant_id()), ?, r.line_number, r.email, r.company_ref, r.name
         FROM jsonb_to_recordset(?::jsonb) AS r(line_number integer, email text, company_ref text, name text)`,
        [
          created.id,
          JSON.stringify(rows.map((row) => ({ line_number: row.lineNumber, email: row.email, company_ref: row.companyRef, name: row.name }))),
        ],
      );
      await recordActivity(
        db,
        {
          action: 'user.import_started',
          actorType: 'staff',
          actorId: staff.userId,
          subjectType: 'user_import',
          subjectId: created.id,
          details: { fileName, rows: rows.length },
        },
        origin,
      );
      return created.id;
    });

    // If Redis rejects this call, the worker's sweep of unfinished imports queues it later.
    await this.queue.add('import', { tenantId: this.scope.tenant().id, importId }, { jobId: importId });
    return importId;
  }

  /** Returns the import with its row counts per outcome, or null when this tenant has no such import. */
  async progress(importId: string): Promise<{ summary: ImportSummary; counts: Record<RowOutcome, number>; problems: ImportRowResult[] } | null> {
    return this.db.asStaff(async (db) => {
      const [summary] = await db.execute<ImportSummary[]>(`SELECT ${SUMMARY_COLUMNS} WHERE i.id = ?`, [importId]);
      if (!summary) return null;

      const grouped = await db.execute<Array<{ outcome: RowOutcome; count: number }>>(
        'SELECT outcome, count(*)::int AS count FROM user_import_rows WHERE import_id = ? GROUP BY outcome',
        [importId],
      );
      const counts: Record<RowOutcome, number> = { pending: 0, invited: 0, skipped: 0, failed: 0 };
      for (const { outcome, count } of grouped) counts[outcome] = count;

      const problems = await db.execute<ImportRowResult[]>(
        `SELECT line_number, email, company_ref, name, outcome, message FROM user_import_rows
         WHERE import_id = ? AND outcome IN ('skipped', 'failed') ORDER BY line_number LIMIT ${PROBLEM_ROWS_SHOWN}`,
        [importId],
      );
      return { summary, counts, problems };
    });
  }

  /** Returns every row of the import in file order, or null when this tenant has no such import. */
  async results(importId: string): Promise<ImportRowResult[] | null> {
    return this.db.asStaff(async (db) => {
      const found = await db.execute<unknown[]>('SELECT 1 FROM user_imports WHERE id = ?', [importId]);
      if (found.length === 0) return null;
      return db.execute<ImportRowResult[]>(
        `SELECT line_number, email, company_ref, name, outcome, message FROM user_import_rows
         WHERE import_id = ? ORDER BY line_number`,
        [importId],
      );
    });
  }

  /** Lists the tenant's customer companies with the external ids a file can name, by name. */
  companies(): Promise<Array<{ external_id: string; name: string }>> {
    return this.db.asStaff((db) =>
      db.execute(`SELECT external_id, name FROM customer_companies ORDER BY name LIMIT ${COMPANIES_LISTED}`),
    );
  }

  /** Lists the tenant's latest imports, newest first. */
  recent(): Promise<ImportSummary[]> {
    return this.db.asStaff((db) =>
      db.execute<ImportSummary[]>(`SELECT ${SUMMARY_COLUMNS} ORDER BY i.created_at DESC LIMIT ${RECENT_IMPORTS_SHOWN}`),
    );
  }
}
