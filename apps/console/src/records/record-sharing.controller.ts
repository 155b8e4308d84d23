import { Body, Controller, Inject, Param, Post, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { DomainError, InvalidInputError } from '../../../../libs/observability/src/errors';
import { PAGE_SIZE } from '../../../../libs/records/src/list-query';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { emailProblem, nameProblem } from '../../../../libs/access/src/contact-fields';
import { RecordSharingService, ShareInvitation } from './record-sharing.service';
import { listHref } from './record-view';
import { parseListRequest } from './staff-list-query';
import { RecordNotFoundError, StaffRecordKind, staffKindOf } from './staff-record-kinds';

/** Reads the checked record ids of the list form. The body parser gives a single checked id as a string. */
function selectedIds(body: Record<string, unknown>): string[] {
  const raw = body.ids;
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (values.length === 0) throw new InvalidInputError({ ids: 'select at least one record' });
  if (values.length > PAGE_SIZE) throw new InvalidInputError({ ids: `must name at most ${PAGE_SIZE} records` });
  if (!values.every((value) => typeof value === 'string' && isUuid(value))) {
    throw new InvalidInputError({ ids: 'must be record ids' });
  }
  return values as string[];
}

function requireRecordId(staffKind: StaffRecordKind, id: string): void {
  if (!isUuid(id)) throw new RecordNotFoundError(staffKind.kind.singular.toLowerCase());
}

/**
 * Shares records with their company's portal users and hides them again.
 * Every staff role may do both. The CSRF middleware has checked the form's
 * token before any handler here runs.
 */
@Controller('records')
export class RecordSharingController {
  constructor(
    private readonly sharing: RecordSharingService,
    private readonly scope: RequestScope,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The optional invitation of the share dialog, for a company with no
   * portal user yet. Inviting is user management, so members may not.
   */
  private invitation(body: Record<string, unknown>): ShareInvitation | undefined {
    const email = typeof body.invite_email === 'string' ? body.invite_email.trim().toLowerCase() : '';
    const name = typeof body.invite_name === 'string' ? body.invite_name.trim() : '';
    if (email.length === 0) return undefined;
    if (this.scope.staff().role === 'member') {
      throw new DomainError('forbidden', 403, 'Only owners and admins can invite portal users.');
    }
    const problems: Record<string, string> = {};
    const emailIssue = emailProblem(email);
    if (emailIssue) problems.invite_email = emailIssue;
    const nameIssue = nameProblem(name);
    if (nameIssue) problems.invite_name = nameIssue;
    if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);
    return { email, name, ttlMinutes: this.config.INVITATION_TTL_HOURS * 60 };
  }

  @Post(':kind/share')
  @Redirect('/records', 303)
  async shareSelected(@Param('kind') slug: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    const staffKind = staffKindOf(slug);
    const ids = selectedIds(body);
    // The list's filters travel in hidden fields, so the redirect returns to the same list.
    const { filters } = parseListRequest(staffKind, { company: body.company, shared: body.shared, q: body.q });

    const outcome = await this.sharing.share(staffKind, ids, originOf(req));
    const notice = { done: 'bulk_shared', count: String(outcome.shared), skipped: String(outcome.alreadyShared) };
    return { url: listHref(slug, { ...filters, ...notice }) };
  }

  @Post(':kind/:id/share')
  @Redirect('/records', 303)
  async share(@Param('kind') slug: string, @Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    const staffKind = staffKindOf(slug);
    requireRecordId(staffKind, id);

    const outcome = await this.sharing.share(staffKind, [id], originOf(req), this.invitation(body));
    let done = 'shared';
    if (outcome.invited) done = outcome.shared === 0 ? 'invited' : 'shared_and_invited';
    else if (outcome.shared === 0) done = 'already_shared';
    else if (outcome.emails === 0) done = 'shared_without_email';
    return { url: `/records/${slug}/${id}?done=${done}` };
  }

  @Post(':kind/:id/unshare')
  @Redirect('/records', 303)
  async unshare(@Param('kind') slug: string, @Param('id') id: string, @Req() req: Request) {
    const staffKind = staffKindOf(slug);
    requireRecordId(staffKind, id);

    const changed = await this.sharing.unshare(staffKind, id, originOf(req));
    return { url: `/records/${slug}/${id}?done=${changed ? 'unshared' : 'already_hidden'}` };
  }
}
