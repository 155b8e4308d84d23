import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { AccessRequester, invitePortalUser, InviteOutcome } from '../../../../libs/access/src/user-access';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EmailOutbox } from '../../../../libs/queue/src/email-outbox';
import { UserImportJob } from '../../../../libs/queue/src/queues';
import { CompanyDirectory, ImportRow, resolveCompany, rowProblem } from './import-row-checks';

/** Rows handled per transaction. Each batch commits its invitations together with the rows' outcomes. */
export const IMPORT_BATCH_SIZE = 100;

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

/** Result of one batch: the rows it handled, or the final status when nothing was left to do. */
export type BatchResult = { finished: false; handled: number; deliveryIds: string[] } | { finished: true; status: ImportStatus | 'missing' };

interface RowResult {
  line_number: number;
  outcome: 'invited' | 'skipped' | 'failed';
  message: string | null;
  portal_user_id: string | null;
}

interface PendingRow extends ImportRow {
  first_line: number;
}

const CREATOR_GONE = 'The staff user who uploaded the file can no longer invite users, so the row was not imported.';

/**
 * Works through the pending rows of a user import. Each batch runs in one
 * transaction that holds the import row's lock, invites the batch's valid
 * rows and records every row's outcome, so a job that restarts after a crash
 * or runs twice at once resumes from the rows still pending and invites
 * nobody twice. Invitation emails are queued after each commit; a batch
 * whose queue call fails leaves its deliveries to the email sweeper.
 */
@Injectable()
export class UserImportRunner {
  constructor(
    private readonly db: TenantDatabase,
    private readonly outbox: EmailOutbox,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.logger.setContext(UserImportRunner.name);
  }

  /** Processes batches until no row is pending, and returns the import's final status. */
  async run(job: UserImportJob): Promise<ImportStatus | 'missing'> {
    for (;;) {
      const batch = await this.runBatch(job);
      if (batch.finished) {
        this.logger.info({ ...job, status: batch.status }, 'user import finished');
        return batch.status;
      }
    }
  }

  /** Processes the next batch of pending rows in one transaction, then queues that batch's emails. */
  async runBatch(job: UserImportJob): Promise<BatchResult> {
    const batch = await this.db.asWorkerFor(job.tenantId, (db) => this.processBatch(db, job));
    if (!batch.finished) {
      await this.outbox.dispatch(job.tenantId, batch.deliveryIds);
      this.logger.debug({ ...job, rows: batch.handled, invited: batch.deliveryIds.length }, 'user import batch committed');
    }
    return batch;
  }

  /** Marks an import failed after its last attempt. Rows still pending stay pending. */
  async markFailed(job: UserImportJob): Promise<void> {
    await this.db.asWorkerFor(job.tenantId, (db) =>
      db.execute(
        `UPDATE user_imports SET status = 'failed', finished_at = now() WHERE id = ? AND status IN ('queued', 'running')`,
        [job.importId],
      ),
    );
  }

  private async processBatch(db: SqlExecutor, job: UserImportJob): Promise<BatchResult> {
    const { importId } = job;
    // The lock serializes two runs of the same import, so a row is never handled twice.
    const [state] = await db.execute<Array<{ status: ImportStatus; created_by: string | null; creator_active: boolean | null }>>(
      `SELECT i.status, i.created_by, s.status = 'active' AND s.role IN ('owner', 'admin') AS creator_active
       FROM user_imports i LEFT JOIN staff_users s ON s.tenant_id = i.tenant_id AND s.id = i.created_by
       WHERE i.id = ? FOR UPDATE OF i`,
      [importId],
    );
    if (!state) return { finished: true, status: 'missing' };
    if (state.status === 'done' || state.status === 'failed') return { finished: true, status: state.status };

    if (!state.creator_active || !state.created_by) return this.failRemaining(db, job);
    const rows = await this.pendingRows(db, importId);
    if (rows.length === 0) {
      await db.execute(`UPDATE user_imports SET status = 'done', finished_at = now() WHERE id = ?`, [importId]);
      return { finished: true, status: 'done' };
    }

    const requester: AccessRequester = { staffUserId: state.created_by, ttlMinutes: this.config.INVITATION_TTL_HOURS * 60 };
    const directory = await this.companyDirectory(db, rows);
    const results: RowResult[] = [];
    const deliveryIds: string[] = [];
    for (const row of rows) {
      const result = await this.handleRow(db, row, directory, requester, job);
      results.push(result.row);
      if (result.deliveryId) deliveryIds.push(result.deliveryId);
    }
    await this.recordResults(db, importId, results);
    return { finished: false, handled: rows.length, deliveryIds };
  }

  /** Loads the next pending rows, each with the first line of the file that has the same email. */
  private pendingRows(db: SqlExecutor, importId: string): Promise<PendingRow[]> {
    return db.execute<PendingRow[]>(
      `WITH batch AS (
         SELECT line_number, email, company_ref, name FROM user_import_rows
         WHERE import_id = ? AND outcome = 'pending' ORDER BY line_number LIMIT ${IMPORT_BATCH_SIZE}
       ), firsts AS (
         SELECT lower(email) AS email_key, min(line_number) AS first_line FROM user_import_rows
         WHERE import_id = ? AND lower(email) IN (SELECT lower(email) FROM batch) GROUP BY lower(email)
       )
       SELECT b.line_number, b.email, b.company_ref, b.name, f.first_line
       FROM batch b JOIN firsts f ON f.email_key = lower(b.email) ORDER BY b.line_number`,
      [importId, importId],
    );
  }

  private async companyDirectory(db: SqlExecutor, rows: ImportRow[]): Promise<CompanyDirectory> {
    const references = [...new Set(rows.map((row) => row.company_ref).filter((reference) => reference !== ''))];
    const companies = await db.execute<Array<{ id: string; external_id: string; name: string }>>(
      'SELECT id, external_id, name FROM customer_companies WHERE external_id = ANY(?::text[]) OR name = ANY(?::text[])',
      [references, references],
    );
    const directory: CompanyDirectory = { byExternalId: new Map(), byName: new Map() };
    for (const company of companies) {
      directory.byExternalId.set(company.external_id, company.id);
      directory.byName.set(company.name, [...(directory.byName.get(company.name) ?? []), company.id]);
    }
    return directory;
  }

  private async handleRow(
    db: SqlExecutor,
    row: PendingRow,
    directory: CompanyDirectory,
    requester: AccessRequester,
    job: UserImportJob,
  ): Promise<{ row: RowResult; deliveryId?: string }> {
    const result = (outcome: RowResult['outcome'], message: string | null, userId: string | null = null) => ({
      line_number: row.line_number,
      outcome,
      message,
      portal_user_id: userId,
    });

    const problem = rowProblem(row);
    if (problem) return { row: result('failed', problem) };
    if (row.first_line < row.line_number) {
      return { row: result('skipped', `The email appears earlier in the file, on line ${row.first_line}.`) };
    }
    const company = resolveCompany(directory, row.company_ref);
    if ('problem' in company) return { row: result('failed', company.problem) };

    const invitation = { email: row.email, companyId: company.companyId, name: row.name };
    const outcome = await this.inviteInSavepoint(db, () => invitePortalUser(db, invitation, requester), job, row.line_number);
    switch (outcome.outcome) {
      case 'invited':
        return { row: result('invited', null, outcome.userId), deliveryId: outcome.deliveryId };
      case 'exists':
        return { row: result('skipped', `The email already has access (portal user status: ${outcome.status}).`, outcome.userId) };
      case 'no_company':
        return { row: result('failed', 'The customer company was deleted while the file was being imported.') };
      case 'error':
        return { row: result('failed', `The invitation could not be created. Error id: ${outcome.errorId}.`) };
    }
  }

  /**
   * Runs one invitation inside a savepoint, so a row that the database
   * rejects fails on its own instead of stopping the import. A broken
   * connection fails the rollback too, and the whole batch is retried.
   */
  private async inviteInSavepoint(
    db: SqlExecutor,
    invite: () => Promise<InviteOutcome>,
    job: UserImportJob,
    lineNumber: number,
  ): Promise<InviteOutcome | { outcome: 'error'; errorId: string }> {
    await db.execute('SAVEPOINT import_row');
    try {
      const outcome = await invite();
      await db.execute('RELEASE SAVEPOINT import_row');
      return outcome;
    } catch (error) {
      await db.execute('ROLLBACK TO SAVEPOINT import_row');
      const errorId = randomUUID();
      this.logger.error({ err: error, errorId, ...job, lineNumber }, 'user import row failed');
      return { outcome: 'error', errorId };
    }
  }

  private async recordResults(db: SqlExecutor, importId: string, results: RowResult[]): Promise<void> {
    const updated = await db.execute<unknown[]>(
      `UPDATE user_import_rows r SET outcome = x.outcome, message = x.message, portal_user_id = x.portal_user_id
       FROM jsonb_to_recordset(?::jsonb) AS x(line_number integer, outcome text, message text, portal_user_id uuid)
       WHERE r.import_id = ? AND r.line_number = x.line_number AND r.outcome = 'pending'
       RETURNING r.line_number`,
      [JSON.stringify(results), importId],
    );
    await db.execute(`UPDATE user_imports SET status = 'running', processed_rows = processed_rows + ? WHERE id = ?`, [
      updated.length,
      importId,
    ]);
  }

  /** Fails every pending row and the import, because its creator was disabled, removed or made a member. */
  private async failRemaining(db: SqlExecutor, job: UserImportJob): Promise<BatchResult> {
    const { importId } = job;
    const failed = await db.execute<unknown[]>(
      `UPDATE user_import_rows SET outcome = 'failed', message = ? WHERE import_id = ? AND outcome = 'pending' RETURNING line_number`,
      [CREATOR_GONE, importId],
    );
    await db.execute(
      `UPDATE user_imports SET status = 'failed', finished_at = now(), processed_rows = processed_rows + ? WHERE id = ?`,
      [failed.length, importId],
    );
    this.logger.warn({ ...job, rows: failed.length }, 'user import stopped because its creator can no longer invite users');
    return { finished: true, status: 'failed' };
  }
}
