import { companyReference, equipmentReference, ResourceDefinition, siteReference } from './resource-definition';
import { date, externalId, notBefore, optionalDate, optionalText, shared, text, timestamp, z } from './fields';

const equipmentShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId,
    shared,
    name: text(200),
    category: text(100),
    manufacturer: optionalText(200),
    model: optionalText(200),
    serialNumber: optionalText(200),
    location: optionalText(300),
    installedOn: optionalDate,
    status: z.enum(['in_service', 'out_of_service', 'retired']).default('in_service'),
  })
  .strict()
  .openapi('EquipmentInput');

export const equipment: ResourceDefinition = {
  path: 'equipment',
  name: 'Equipment',
  table: 'equipment',
  kind: 'record',
  shape: equipmentShape,
  body: equipmentShape,
  references: [companyReference, siteReference()],
  details: [],
};

const finding = z
  .object({
    severity: z.enum(['critical', 'major', 'minor', 'advisory']),
    status: z.enum(['open', 'in_progress', 'resolved', 'deferred']).default('open'),
    isDeficiency: z.boolean().default(true),
    location: text(300),
    description: text(5000),
    recommendation: optionalText(5000),
    codeReference: optionalText(200),
    equipmentExternalId: externalId.nullable().optional(),
  })
  .strict()
  .openapi('InspectionFinding');

const inspectionReportShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId,
    shared,
    number: text(50),
    title: text(300),
    inspectionType: text(200),
    inspectedOn: date,
    inspectorName: text(200),
    result: z.enum(['pass', 'deficiencies', 'fail']),
    summary: optionalText(20000),
    findings: z.array(finding).max(1000).default([]),
  })
  .strict()
  .openapi('InspectionReportInput');

export const inspectionReports: ResourceDefinition = {
  path: 'inspection-reports',
  name: 'InspectionReport',
  table: 'inspection_reports',
  kind: 'record',
  shape: inspectionReportShape,
  body: inspectionReportShape,
  references: [companyReference, siteReference()],
  details: [
    { field: 'findings', table: 'inspection_findings', parentColumn: 'report_id', row: finding, references: [equipmentReference()] },
  ],
};

const requirementShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId,
    shared,
    title: text(300),
    codeReference: optionalText(200),
    authority: optionalText(200),
    frequency: z.enum(['monthly', 'quarterly', 'semiannual', 'annual', 'three_year', 'five_year', 'one_time']),
    lastCompletedOn: optionalDate,
    dueOn: date,
    completedOn: optionalDate,
    notes: optionalText(5000),
  })
  .strict()
  .openapi('ComplianceRequirementInput');

export const complianceRequirements: ResourceDefinition = {
  path: 'compliance-requirements',
  name: 'ComplianceRequirement',
  table: 'compliance_requirements',
  kind: 'record',
  shape: requirementShape,
  body: requirementShape,
  references: [companyReference, siteReference()],
  details: [],
};

const complianceDocumentShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId.nullable().optional(),
    requirementExternalId: externalId.nullable().optional(),
    shared,
    title: text(300),
    documentType: z.enum(['certificate', 'permit', 'report', 'letter', 'other']),
    issuer: optionalText(200),
    issuedOn: date,
    expiresOn: optionalDate,
  })
  .strict();

export const complianceDocuments: ResourceDefinition = {
  path: 'compliance-documents',
  name: 'ComplianceDocument',
  table: 'compliance_documents',
  kind: 'record',
  shape: complianceDocumentShape,
  body: complianceDocumentShape
    .superRefine((value, context) => notBefore(value, context, 'issuedOn', 'expiresOn'))
    .openapi('ComplianceDocumentInput'),
  references: [
    companyReference,
    siteReference(),
    {
      field: 'requirementExternalId',
      column: 'requirement_id',
      table: 'compliance_requirements',
      label: 'compliance requirement',
      sameCompany: true,
    },
  ],
  details: [],
};

const workOrderShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId,
    equipmentExternalId: externalId.nullable().optional(),
    shared,
    number: text(50),
    title: text(300),
    workType: z.enum(['inspection', 'repair', 'maintenance', 'installation', 'emergency']),
    priority: z.enum(['low', 'normal', 'high', 'emergency']).default('normal'),
    status: z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']),
    scheduledStart: timestamp,
    scheduledEnd: timestamp.nullable().optional(),
    completedAt: timestamp.nullable().optional(),
    technicianName: optionalText(200),
    serviceDetails: optionalText(20000),
    technicianNotes: optionalText(20000),
  })
  .strict()
  .openapi('WorkOrderInput');

export const workOrders: ResourceDefinition = {
  path: 'work-orders',
  name: 'WorkOrder',
  table: 'work_orders',
  kind: 'record',
  shape: workOrderShape,
  body: workOrderShape,
  references: [companyReference, siteReference(), equipmentReference()],
  details: [],
};

const coveredEquipment = z.object({ equipmentExternalId: externalId }).strict().openapi('CoveredEquipment');

const warrantyShape = z
  .object({
    companyExternalId: externalId,
    shared,
    provider: text(200),
    policyNumber: text(100),
    warrantyType: z.enum(['manufacturer', 'installer', 'extended']),
    coverage: optionalText(5000),
    startsOn: date,
    expiresOn: date,
    coveredEquipment: z.array(coveredEquipment).max(1000).default([]),
  })
  .strict();

export const warranties: ResourceDefinition = {
  path: 'warranties',
  name: 'Warranty',
  table: 'warranties',
  kind: 'record',
  shape: warrantyShape,
  body: warrantyShape
    .superRefine((value, context) => {
      notBefore(value, context, 'startsOn', 'expiresOn');
      const seen = new Set<string>();
      value.coveredEquipment.forEach((item, index) => {
        if (seen.has(item.equipmentExternalId)) {
          context.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['coveredEquipment', index, 'equipmentExternalId'],
            message: 'lists the same equipment twice',
          });
        }
        seen.add(item.equipmentExternalId);
      });
    })
    .openapi('WarrantyInput'),
  references: [companyReference],
  details: [
    {
      field: 'coveredEquipment',
      table: 'warranty_equipment',
      parentColumn: 'warranty_id',
      row: coveredEquipment,
      references: [equipmentReference()],
    },
  ],
};
