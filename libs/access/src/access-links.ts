import type { SqlExecutor } from '../../db/src/sql-executor';

export type LinkPurpose = 'invitation' | 'password_reset';

/** Whose password a link sets: a customer of the portal or a staff user of the console. */
export type LinkHolder = { portalUserId: string } | { staffUserId: string };

function holderColumn(holder: LinkHolder): ['portal_user_id' | 'staff_user_id', string] {
  return 'portalUserId' in holder ? ['portal_user_id', holder.portalUserId] : ['staff_user_id', holder.staffUserId];
}

/** Voids every link of the holder that is still open, so only the newest one works. */
export async function voidOpenLinks(db: SqlExecutor, holder: LinkHolder): Promise<void> {
  const [column, id] = holderColumn(holder);
  await db.execute(
    `UPDATE access_tokens SET voided_at = now() WHERE ${column} = ? AND used_at IS NULL AND voided_at IS NULL`,
    [id],
  );
}

/**
 * Creates a link for the holder, in the caller's transaction, and by
 * default voids the older ones. The row has no hash yet: the worker writes
 * it when it composes the email, so the token exists nowhere but in that
 * email. A self-service request keeps older links open, so a visitor who
 * has only an address cannot cancel an invitation sent to it; spending
 * any link voids the rest.
 */
export async function issueAccessLink(
  db: SqlExecutor,
  holder: LinkHolder,
  purpose: LinkPurpose,
  ttlMinutes: number,
  createdBy: string | null = null,
  replaceOpen = true,
): Promise<string> {
  if (replaceOpen) await voidOpenLinks(db, holder);
  const [column, id] = holderColumn(holder);
  const rows: Array<{ id: string }> = await db.execute(
    `INSERT INTO access_tokens (tenant_id, purpose, ${column}, expires_at, created_by)
     VALUES ((SELECT app_current_tenant_id()), ?, ?, now() + make_interval(mins => ?), ?) RETURNING id`,
    [purpose, id, ttlMinutes, createdBy],
  );
  return rows[0].id;
}

/** An open link as its set-password page needs it. */
export interface OpenLink {
  id: string;
  purpose: LinkPurpose;
  holderId: string;
  email: string;
  name: string | null;
  expiresAt: Date;
}

const OPEN = 'used_at IS NULL AND voided_at IS NULL AND expires_at > now() AND token_hash = ?';

/**
 * Finds the open link with this hash for a holder who may still sign in. A
 * used, voided, expired, unknown or other tenant's link all give null.
 */
export async function findOpenLink(db: SqlExecutor, kind: 'portal' | 'staff', hash: Buffer): Promise<OpenLink | null> {
  const users = kind === 'portal' ? 'portal_users' : 'staff_users';
  const column = kind === 'portal' ? 'portal_user_id' : 'staff_user_id';
  const rows: Array<{ id: string; purpose: LinkPurpose; holder_id: string; email: string; name: string | null; expires_at: Date }> =
    await db.execute(
      `SELECT t.id, t.purpose, u.id AS holder_id, u.email, u.name, t.expires_at
       FROM access_tokens t JOIN ${users} u ON u.tenant_id = t.tenant_id AND u.id = t.${column}
       WHERE ${OPEN.replace(/(used_at|voided_at|expires_at|token_hash)/g, 't.$1')} AND u.status <> 'disabled'`,
      [hash],
    );
  const row = rows[0];
  return row
    ? { id: row.id, purpose: row.purpose, holderId: row.holder_id, email: row.email, name: row.name, expiresAt: row.expires_at }
    : null;
}

/** A spent link: whose password it set, and whether that made an invited portal user active for the first time. */
export interface RedeemedLink {
  userId: string;
  purpose: LinkPurpose;
  sessionVersion: number;
  companyId: string | null;
  firstActivation: boolean;
}

/**
 * Spends the link and sets the password in one transaction: the link is
 * marked used only if it is still open, so two submissions of the same link
 * cannot both succeed. Raising the session version signs out every other
 * session of the user; an invited user becomes active.
 */
export async function redeemAccessLink(
  db: SqlExecutor,
  kind: 'portal' | 'staff',
  hash: Buffer,
  passwordHash: string,
): Promise<RedeemedLink | null> {
  const column = kind === 'portal' ? 'portal_user_id' : 'staff_user_id';
  const spent: Array<{ holder_id: string; purpose: LinkPurpose }> = await db.execute(
    `UPDATE access_tokens SET used_at = now() WHERE ${OPEN} AND ${column} IS NOT NULL
     RETURNING ${column} AS holder_id, purpose`,
    [hash],
  );
  if (spent.length === 0) return null;

  const users = kind === 'portal' ? 'portal_users' : 'staff_users';
  const activated = kind === 'portal' ? ', activated_at = coalesce(activated_at, now())' : '';
  const company = kind === 'portal' ? 'company_id' : 'NULL::uuid AS company_id';
  // now() is the transaction's start time, so activated_at equals it only when this statement set it.
  const firstActivation = kind === 'portal' ? 'activated_at = now()' : 'false';
  const updated: Array<{ id: string; session_version: number; company_id: string | null; first_activation: boolean }> = await db.execute(
    `UPDATE ${users}
     SET password_hash = ?, status = 'active', session_version = session_version + 1, last_login_at = now(),
       updated_at = now()${activated}
     WHERE id = ? AND status <> 'disabled'
     RETURNING id, session_version, ${company}, ${firstActivation} AS first_activation`,
    [passwordHash, spent[0].holder_id],
  );
  if (updated.length === 0) return null;
  await voidOpenLinks(db, kind === 'portal' ? { portalUserId: updated[0].id } : { staffUserId: updated[0].id });
  return {
    userId: updated[0].id,
    purpose: spent[0].purpose,
    sessionVersion: updated[0].session_version,
    companyId: updated[0].company_id,
    firstActivation: updated[0].first_activation,
  };
}
