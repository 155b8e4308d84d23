import { RecordKind } from '../record-kind';

export const contractsKind: RecordKind = {
  slug: 'contracts',
  title: 'Contracts',
  singular: 'Contract',
  emptyMessage: 'No contracts have been shared with you yet.',
  select: `SELECT r.id, r.number, r.title, r.starts_on, r.ends_on, r.value_minor, r.currency, r.billing_frequency,
      r.status, s.name AS site_name
    FROM contracts r LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'starts_on',
  sortType: 'date',
  direction: 'desc',
  filters: {
    active: { label: 'Active', where: "r.status = 'active'" },
    pending: { label: 'Pending', where: "r.status = 'pending'" },
    expired: { label: 'Expired', where: "r.status = 'expired'" },
    cancelled: { label: 'Cancelled', where: "r.status = 'cancelled'" },
  },
  async detail(db, id) {
    const [contract] = await db.execute(
      `SELECT r.*, s.name AS site_name, s.address_line1, s.city
       FROM contracts r
       LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ?`,
      [id],
    );
    return contract ?? null;
  },
};
