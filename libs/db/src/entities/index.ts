/**
 * One entity class per table. References between rows (companyId, siteId,
 * reportId ...) are plain uuid properties, not ManyToOne relations, because
 * every foreign key shares tenant_id with the primary key and MikroORM's
 * composite relations handle such a shared column poorly.
 */
import { Tenant } from './tenant.entity';
import { TenantDomain } from './tenant-domain.entity';
import { Branding } from './branding.entity';
import { StaffUser } from './staff-user.entity';
import { CustomerCompany } from './customer-company.entity';
import { Site } from './site.entity';
import { PortalUser } from './portal-user.entity';
import { Equipment } from './equipment.entity';
import { InspectionReport } from './inspection-report.entity';
import { InspectionFinding } from './inspection-finding.entity';
import { EquipmentInspection } from './equipment-inspection.entity';
import { Invoice } from './invoice.entity';
import { InvoiceLine } from './invoice-line.entity';
import { InvoicePayment } from './invoice-payment.entity';
import { ComplianceRequirement } from './compliance-requirement.entity';
import { ComplianceDocument } from './compliance-document.entity';
import { Contract } from './contract.entity';
import { Proposal } from './proposal.entity';
import { ProposalLine } from './proposal-line.entity';
import { WorkOrder } from './work-order.entity';
import { Warranty } from './warranty.entity';
import { WarrantyEquipment } from './warranty-equipment.entity';
import { ServiceRequest } from './service-request.entity';
import { EmailDelivery } from './email-delivery.entity';
import { AccessToken } from './access-token.entity';
import { ActivityEvent } from './activity-event.entity';
import { UserImport } from './user-import.entity';
import { UserImportRow } from './user-import-row.entity';
import { RecordAttachment } from './record-attachment.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { ApiKey } from './api-key.entity';

export {
  Tenant,
  TenantDomain,
  Branding,
  StaffUser,
  CustomerCompany,
  Site,
  PortalUser,
  Equipment,
  InspectionReport,
  InspectionFinding,
  EquipmentInspection,
  Invoice,
  InvoiceLine,
  InvoicePayment,
  ComplianceRequirement,
  ComplianceDocument,
  Contract,
  Proposal,
  ProposalLine,
  WorkOrder,
  Warranty,
  WarrantyEquipment,
  ServiceRequest,
  EmailDelivery,
  AccessToken,
  ActivityEvent,
  UserImport,
  UserImportRow,
  RecordAttachment,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  ApiKey,
};

export const ENTITIES = [
  EmailDelivery,
  AccessToken,
  ActivityEvent,
  UserImport,
  UserImportRow,
  Tenant,
  TenantDomain,
  Branding,
  StaffUser,
  CustomerCompany,
  Site,
  PortalUser,
  Equipment,
  InspectionReport,
  InspectionFinding,
  EquipmentInspection,
  Invoice,
  InvoiceLine,
  InvoicePayment,
  ComplianceRequirement,
  ComplianceDocument,
  Contract,
  Proposal,
  ProposalLine,
  WorkOrder,
  Warranty,
  WarrantyEquipment,
  ServiceRequest,
  RecordAttachment,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  ApiKey,
];
