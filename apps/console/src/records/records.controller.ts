import { Controller, Get, Param, Query } from '@nestjs/common';

import { formatterFor } from '../../../../libs/locale/src';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { activeUserPhrase, detailFieldsView, listHref, listRowView } from './record-view';
import { parseListRequest } from './staff-list-query';
import { recordLabel, staffKindOf } from './staff-record-kinds';
import { DOCUMENT_KIND_BY_SLUG } from '../../../../libs/documents/src/prepared-document';
import { StaffRecordsService } from './staff-records.service';

/** Notices after a share or unshare on the detail page, keyed by the redirect's `done` value. */
function detailNotice(done: string, singular: string): string | undefined {
  const notices: Record<string, string> = {
    shared: `The ${singular} is shared on the portal now. Its company's active portal users will get an email.`,
    shared_without_email:
      `The ${singular} is shared on the portal now. ` +
      'No email was sent, because its company has no active portal user.',
    already_shared: `The ${singular} was already shared, so no email was sent again.`,
    shared_and_invited:
      `The ${singular} is shared on the portal now, and the new portal user has an invitation on its way. ` +
      `They will see the ${singular} once they choose a password.`,
    invited: `The ${singular} was already shared. The new portal user has an invitation on its way.`,
    unshared: `The ${singular} is hidden from the portal again. No email was sent.`,
    already_hidden: `The ${singular} was not shared, so nothing changed.`,
  };
  return Object.hasOwn(notices, done) ? notices[done] : undefined;
}

/** Builds the notice after "Share selected" from the counts in the redirect's query. */
function listNotice(query: Record<string, unknown>): string | undefined {
  const { done, count = '', skipped = '' } = query;
  if (done !== 'bulk_shared' || typeof count !== 'string' || typeof skipped !== 'string') return undefined;
  if (!/^\d{1,3}$/.test(count) || !/^\d{1,3}$/.test(skipped)) return undefined;

  const shared = Number(count);
  const already = Number(skipped);
  const sharedText = `Shared ${shared} ${shared === 1 ? 'record' : 'records'}, and emailed their companies' active portal users.`;
  if (already === 0) return sharedText;
  const alreadyText = `${already} selected ${already === 1 ? 'record was' : 'records were'} shared already`;
  return `${sharedText} ${alreadyText} and sent nothing again.`;
}

/**
 * Record lists and detail pages for staff: every company's records of a
 * kind, shared or not. Every staff role may use them, because sharing
 * records with customers is everyday work.
 */
@Controller('records')
export class RecordsController {
  constructor(
    private readonly records: StaffRecordsService,
    private readonly scope: RequestScope,
  ) {}

  @Get(':kind')
  async list(@Param('kind') slug: string, @Query() query: Record<string, unknown>) {
    const staffKind = staffKindOf(slug);
    const request = parseListRequest(staffKind, query);
    const page = await this.records.list(staffKind, request);
    const format = this.formatter();
    const rows = page.rows.map((row) => listRowView(staffKind, row, format));
    const filters = { company: request.filters.company, shared: request.filters.shared, q: request.filters.q };

    return {
      view: 'records/list',
      title: staffKind.kind.title,
      kind: staffKind.kind,
      dateLabel: staffKind.dateLabel,
      statusLabel: staffKind.statusLabel,
      searchLabel: staffKind.searchLabel,
      rows,
      hasUnshared: rows.some((row) => row.sharedAtText === null),
      companies: page.companies,
      filters,
      filtered: Boolean(filters.company || filters.shared || filters.q),
      notice: listNotice(query),
      nextHref: page.nextCursor ? listHref(slug, filters, { after: page.nextCursor }) : null,
      previousHref: page.previousCursor ? listHref(slug, filters, { before: page.previousCursor }) : null,
    };
  }

  @Get(':kind/:id')
  async detail(@Param('kind') slug: string, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    const staffKind = staffKindOf(slug);
    const { done = '' } = singleValues(query, ['done'] as const);
    const { record, recipients } = await this.records.detail(staffKind, id);
    const format = this.formatter();
    const singular = staffKind.kind.singular.toLowerCase();

    return {
      view: 'records/detail',
      title: recordLabel(staffKind, record.record_number, record.record_title),
      kind: staffKind.kind,
      singular,
      id: String(record.id),
      number: record.record_number,
      recordTitle: record.record_title,
      companyId: String(record.company_id),
      companyName: String(record.company_name),
      sharedAtText: record.shared_at ? format.dateTime(record.shared_at as string) : null,
      createdAtText: format.dateTime(record.created_at as string),
      fields: detailFieldsView(staffKind, record, format),
      recipients: {
        ...recipients,
        phrase: activeUserPhrase(recipients.count),
        more: recipients.count - recipients.emails.length,
      },
      notice: detailNotice(done, singular),
      hasDocument: Object.hasOwn(DOCUMENT_KIND_BY_SLUG, staffKind.kind.slug),
    };
  }

  private formatter() {
    const tenant = this.scope.tenant();
    return formatterFor(tenant.locale, tenant.timeZone);
  }
}

