import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { PinoLogger } from 'nestjs-pino';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { InvalidInputError, NotFoundError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';
import { ImportFileRejectedError, ImportFileRow, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, parseImportFile } from './import-file';
import type { ImportUploadRequest } from './user-import-upload.middleware';
import { ImportRowResult, PROBLEM_ROWS_SHOWN, UserImportService } from './user-import.service';

/** Seconds between reloads of the progress page while an import runs. */
const REFRESH_SECONDS = 2;

// Spreadsheet programs run a cell that starts with one of these as a formula,
// the full-width forms included. Every cell is also quoted, so a program that
// splits on semicolons cannot start a new cell inside one.
const FORMULA_START = /^[=+\-@|\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

function spreadsheetSafe(value: string | null): string {
  if (value === null) return '';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Settings → Users → Import: invites portal users from a CSV file, for
 * owners and admins. The console checks the file and stores its rows. The
 * worker then validates and invites them in batches, and the progress page
 * shows how far it got and why rows were skipped or failed.
 */
@Roles('owner', 'admin')
@Controller('settings/users/import')
export class UserImportController {
  constructor(
    private readonly imports: UserImportService,
    private readonly scope: RequestScope,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.logger.setContext(UserImportController.name);
  }

  @Get()
  async page() {
    return this.uploadView();
  }

  @Post()
  async upload(@Req() req: ImportUploadRequest, @Res() res: Response): Promise<void> {
    const checked = this.checkUpload(req);
    if ('problem' in checked) {
      const view = await this.uploadView(checked.problem.message);
      res.status(checked.problem.status).render(view.view, view);
      return;
    }

    const importId = await this.imports.start(checked.fileName, checked.rows, originOf(req));
    this.logger.info({ tenantId: this.scope.tenant().id, importId, rows: checked.rows.length }, 'user import queued');
    res.redirect(303, `/settings/users/import/${importId}`);
  }

  @Get(':id')
  async progress(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    const { refresh } = singleValues(query, ['refresh'] as const);
    if (refresh !== undefined && refresh !== 'off') throw new InvalidInputError({ refresh: 'must be off or left out' });
    if (!isUuid(id)) throw new NotFoundError('import');
    const found = await this.imports.progress(id);
    if (!found) throw new NotFoundError('import');

    const { summary, counts, problems } = found;
    const running = summary.status === 'queued' || summary.status === 'running';
    const number = new Intl.NumberFormat(this.scope.tenant().locale);
    return {
      view: 'pages/user-import-progress',
      title: `Import of ${summary.file_name}`,
      summary,
      running,
      refreshSeconds: running && refresh !== 'off' ? REFRESH_SECONDS : null,
      processed: number.format(summary.processed_rows),
      total: number.format(summary.total_rows),
      percent: summary.total_rows === 0 ? 100 : Math.floor((summary.processed_rows / summary.total_rows) * 100),
      counts: {
        invited: number.format(counts.invited),
        skipped: number.format(counts.skipped),
        failed: number.format(counts.failed),
        pending: number.format(counts.pending),
      },
      hasPending: counts.pending > 0,
      problems,
      problemsLimited: problems.length === PROBLEM_ROWS_SHOWN,
    };
  }

  @Get(':id/results.csv')
  async results(@Param('id') id: string, @Res() res: Response): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('import');
    const rows = await this.imports.results(id);
    if (!rows) throw new NotFoundError('import');

    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="user-import-${id}-results.csv"`);
    // The byte order mark makes spreadsheet programs read the file as UTF-8.
    res.send(`\uFEFF${resultsCsv(rows)}`);
  }

  private checkUpload(req: ImportUploadRequest): { fileName: string; rows: ImportFileRow[] } | { problem: { status: number; message: string } } {
    const upload = req.importUpload ?? {};
    if (upload.problem) return { problem: upload.problem };
    if (!upload.file) return { problem: { status: 400, message: 'Choose a CSV file to upload.' } };
    try {
      return { fileName: upload.file.name, rows: parseImportFile(upload.file.bytes) };
    } catch (error) {
      if (!(error instanceof ImportFileRejectedError)) throw error;
      return { problem: { status: error.status, message: error.message } };
    }
  }

  private async uploadView(problem?: string) {
    return {
      view: 'pages/user-import',
      title: 'Import portal users',
      problem,
      maxRows: MAX_IMPORT_ROWS.toLocaleString('en-US'),
      maxMegabytes: MAX_IMPORT_BYTES / (1024 * 1024),
      ttlDays: Math.max(1, Math.round(this.config.INVITATION_TTL_HOURS / 24)),
      recent: await this.imports.recent(),
      companies: await this.imports.companies(),
    };
  }
}

/** Writes the per-row results as CSV that a spreadsheet opens as plain text. */
export function resultsCsv(rows: ImportRowResult[]): string {
  return stringify(
    rows.map((row) => [
      row.line_number,
      spreadsheetSafe(row.email),
      spreadsheetSafe(row.company_ref),
      spreadsheetSafe(row.name),
      row.outcome,
      spreadsheetSafe(row.message),
    ]),
    { header: true, quoted: true, quoted_empty: true, columns: ['line', 'email', 'company', 'name', 'outcome', 'message'] },
  );
}
