import { Migration } from '@mikro-orm/migrations';

/**
 * Hides an asset's inspection history entry from customers while the
 * inspection report it came from is not shared, because the entry's notes
 * usually repeat the report's findings. Also takes the right to create
 * temporary tables away from PUBLIC, which the apps never need.
 */
export class Migration20261204000200_hide_unshared_inspections extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP POLICY customer_read ON equipment_inspections;');
    this.addSql(`
      CREATE POLICY customer_read ON equipment_inspections FOR SELECT TO portal_customer
        USING (company_id = (SELECT app_current_company_id())
          AND EXISTS (SELECT 1 FROM equipment parent
            WHERE parent.tenant_id = equipment_inspections.tenant_id AND parent.id = equipment_inspections.equipment_id)
          AND (report_id IS NULL OR EXISTS (SELECT 1 FROM inspection_reports report
            WHERE report.tenant_id = equipment_inspections.tenant_id AND report.id = equipment_inspections.report_id)));`);
    this.addSql('RESET ROLE;');
    this.addSql(`DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$;`);
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql('DROP POLICY customer_read ON equipment_inspections;');
    this.addSql(`
      CREATE POLICY customer_read ON equipment_inspections FOR SELECT TO portal_customer
        USING (company_id = (SELECT app_current_company_id()) AND EXISTS (SELECT 1 FROM equipment parent
          WHERE parent.tenant_id = equipment_inspections.tenant_id AND parent.id = equipment_inspections.equipment_id));`);
    this.addSql('RESET ROLE;');
  }
}
