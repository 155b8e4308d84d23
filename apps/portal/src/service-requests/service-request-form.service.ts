import { Injectable } from '@nestjs/common';

import { formatByteSize } from '../../../../libs/attachments/src/attachment-file';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestFileType, TYPE_LABELS } from '../../../../libs/service-requests/src/upload-files';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';

export interface SiteOption {
  id: string;
  name: string;
  address: string;
}

export interface EquipmentOption {
  id: string;
  name: string;
  siteId: string;
  siteName: string;
}

/** One file attached to a request, as its page lists it. */
export interface RequestAttachmentItem {
  id: string;
  fileName: string;
  contentType: string;
  /** The type in words, such as "JPEG photo". */
  typeLabel: string;
  sizeText: string;
  createdAt: Date;
}

/**
 * Reads what the service request form offers and checks the chosen site and
 * equipment, all under the customer's row-level security, so only the
 * company's own sites and the equipment shared with it exist here.
 */
@Injectable()
export class ServiceRequestForms {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  /** Lists the company's sites and shared equipment, by name. */
  async options(): Promise<{ sites: SiteOption[]; equipment: EquipmentOption[] }> {
    return this.db.asCustomer(async (db) => {
      const sites = await db.execute<Array<{ id: string; name: string; address_line1: string; city: string }>>(
        'SELECT id, name, address_line1, city FROM sites ORDER BY name, id',
      );
      const equipment = await db.execute<Array<{ id: string; name: string; site_id: string; site_name: string }>>(
        `SELECT e.id, e.name, e.site_id, s.name AS site_name
         FROM equipment e JOIN sites s ON s.tenant_id = e.tenant_id AND s.id = e.site_id
         WHERE e.status <> 'retired' ORDER BY s.name, e.name, e.id`,
      );
      return {
        sites: sites.map((site) => ({ id: site.id, name: site.name, address: `${site.address_line1}, ${site.city}` })),
        equipment: equipment.map((item) => ({ id: item.id, name: item.name, siteId: item.site_id, siteName: item.site_name })),
      };
    });
  }

  /**
   * Returns a problem per field when the site is not one of the company's,
   * or the equipment is retired, not shared with the company or on another site.
   */
  async checkPlace(siteId: string, equipmentId: string | null): Promise<Record<string, string>> {
    return this.db.asCustomer(async (db): Promise<Record<string, string>> => {
      const [site] = await db.execute<Array<{ id: string }>>('SELECT id FROM sites WHERE id = ?', [siteId]);
      if (!site) return { site_id: 'Choose one of the listed sites.' };
      if (equipmentId === null) return {};

      const [item] = await db.execute<Array<{ site_id: string }>>(
        `SELECT site_id FROM equipment WHERE id = ? AND status <> 'retired'`,
        [equipmentId],
      );
      if (!item) return { equipment_id: 'Choose one of the listed equipment, or none.' };
      if (item.site_id !== siteId) return { equipment_id: 'This equipment is at another site. Choose equipment at the chosen site, or none.' };
      return {};
    });
  }

  /** Lists the files of a request the customer can see, oldest first. */
  async attachments(requestId: string): Promise<RequestAttachmentItem[]> {
    const rows = await this.db.asCustomer((db) =>
      db.execute<Array<{ id: string; file_name: string; content_type: string; byte_size: number; created_at: Date }>>(
        `SELECT id, file_name, content_type, byte_size, created_at FROM record_attachments
         WHERE service_request_id = ? ORDER BY created_at, id`,
        [requestId],
      ),
    );
    const locale = this.scope.tenant().locale;
    return rows.map((row) => ({
      id: row.id,
      fileName: row.file_name,
      contentType: row.content_type,
      typeLabel: TYPE_LABELS[row.content_type as RequestFileType] ?? row.content_type,
      sizeText: formatByteSize(row.byte_size, locale),
      createdAt: row.created_at,
    }));
  }
}
