import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { issueAccessLink } from '../../../../../libs/access/src/access-links';
import { originOf, recordActivity } from '../../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../../libs/config/src';
import type { SqlExecutor } from '../../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../../libs/db/src/tenant-database';
import { InvalidInputError } from '../../../../../libs/observability/src/errors';
import { EmailOutbox, recordEmails } from '../../../../../libs/queue/src/email-outbox';
import { RequestScope } from '../../../../../libs/tenancy/src/request-scope';
import { ResourceNotFoundError } from '../http/api-errors';
import { EXTERNAL_ID } from '../schema/fields';
import { ResourceDefinition } from '../schema/resource-definition';
import { resourceAt } from '../schema/resources';
import { validateBody } from './body-validation';
import { apiErrorFromDatabase } from './database-errors';
import { parseListQuery } from './list-query';
import { Body } from './reference-resolver';
import { ApiPage, ApiRow, findByExternalId, listPage } from './resource-reader';
import { upsertResource } from './resource-writer';

export interface PutResult {
  status: 200 | 201;
  row: ApiRow;
}

/** Reads and writes the API's resources as the request's key, under row-level security for its tenant. */
@Injectable()
export class ApiResourcesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: EmailOutbox,
  ) {}

  list(path: string, query: Record<string, unknown>): Promise<ApiPage> {
    const resource = this.resource(path);
    const listQuery = parseListQuery(query);
    return this.db.asApiKey((sql) => listPage(sql, resource, listQuery));
  }

  async get(path: string, externalId: string): Promise<ApiRow> {
    const resource = this.resource(path);
    checkExternalId(externalId);
    const row = await this.db.asApiKey((sql) => findByExternalId(sql, resource, externalId));
    if (!row) throw notFound(resource, externalId);
    return row;
  }

  async put(path: string, externalId: string, rawBody: unknown, req: Request): Promise<PutResult> {
    const resource = this.resource(path);
    checkExternalId(externalId);
    const body = validateBody<Body>(resource.body, rawBody);

    const result = await this.db
      .asApiKey(async (sql) => {
        const outcome = await upsertResource(sql, resource, externalId, body);
        if (outcome.changed) {
          const action = outcome.created ? 'integration.record_created' : 'integration.record_updated';
          await this.recordApiActivity(sql, action, resource, externalId, outcome.id, outcome.companyId ?? null, req);
        }
        const inviting = resource.path === 'portal-users' && body.sendInvitation === true;
        const deliveryId = inviting ? await this.invite(sql, outcome.id, req) : null;
        const row = await findByExternalId(sql, resource, externalId);
        return { created: outcome.created, row: row!, deliveryId };
      })
      .catch((error: unknown) => Promise.reject(apiErrorFromDatabase(error)));

    if (result.deliveryId) await this.outbox.dispatch(this.scope.tenant().id, [result.deliveryId]);
    return { status: result.created ? 201 : 200, row: result.row };
  }

  /**
   * Deletes the row with this external id. Its detail rows, and for a
   * customer company everything of that company, go with it through the
   * foreign keys' ON DELETE CASCADE.
   */
  async delete(path: string, externalId: string, req: Request): Promise<void> {
    const resource = this.resource(path);
    checkExternalId(externalId);
    const statement = `DELETE FROM ${resource.table} WHERE external_id = ? RETURNING id`;
    const deleted = await this.db
      .asApiKey(async (sql) => {
        const rows = await sql.execute<Array<{ id: string }>>(statement, [externalId]);
        if (rows[0]) await this.recordApiActivity(sql, 'integration.record_deleted', resource, externalId, rows[0].id, null, req);
        return rows;
      })
      .catch((error: unknown) => Promise.reject(apiErrorFromDatabase(error, 'delete')));
    if (deleted.length === 0) throw notFound(resource, externalId);
  }

  /** Appends an API write to the activity log in its transaction, naming the key that made it. */
  private recordApiActivity(
    sql: SqlExecutor,
    action: string,
    resource: ResourceDefinition,
    externalId: string,
    rowId: string,
    companyId: string | null,
    req: Request,
  ): Promise<void> {
    const entry = {
      action,
      actorType: 'system' as const,
      companyId,
      subjectType: resource.path,
      subjectId: rowId,
      details: { external_id: externalId, api_key_id: this.scope.apiKey().keyId },
    };
    return recordActivity(sql, entry, originOf(req));
  }

  private resource(path: string): ResourceDefinition {
    const resource = resourceAt(path);
    if (!resource) {
      throw new ResourceNotFoundError(`The API has no resource named ${JSON.stringify(path)}. /api/v1/docs lists them.`);
    }
    return resource;
  }

  /**
   * Records the invitation of a portal user who was never invited, in the
   * upsert's transaction; the email is queued after commit. A user already
   * invited, active or disabled gets nothing, so repeating the request
   * sends no second email.
   */
  private async invite(sql: SqlExecutor, userId: string, req: Request): Promise<string | null> {
    const rows = await sql.execute<Array<{ email: string; company_id: string }>>(
      `UPDATE portal_users SET invited_at = now(), updated_at = now()
       WHERE id = ? AND status = 'invited' AND invited_at IS NULL RETURNING email, company_id`,
      [userId],
    );
    if (!rows[0]) return null;

    const { email, company_id: companyId } = rows[0];
    const ttlMinutes = this.config.INVITATION_TTL_HOURS * 60;
    const tokenId = await issueAccessLink(sql, { portalUserId: userId }, 'invitation', ttlMinutes);
    const [deliveryId] = await recordEmails(sql, [{ kind: 'invitation', recipient: email, accessTokenId: tokenId }]);
    const apiKeyId = this.scope.apiKey().keyId;
    const entry = {
      action: 'user.invited',
      actorType: 'system' as const,
      companyId,
      subjectType: 'portal_user',
      subjectId: userId,
      details: { email, api_key_id: apiKeyId },
    };
    await recordActivity(sql, entry, originOf(req));
    return deliveryId;
  }
}

function notFound(resource: ResourceDefinition, externalId: string): ResourceNotFoundError {
  return new ResourceNotFoundError(`No ${resource.path} row of this tenant has the external id ${JSON.stringify(externalId)}.`);
}

function checkExternalId(externalId: string): void {
  if (!EXTERNAL_ID.test(externalId)) {
    throw new InvalidInputError({ externalId: 'must be 1 to 100 letters, digits or the characters . _ : @ ~ -' });
  }
}
