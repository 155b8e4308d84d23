import { RecordKind } from '../record-kind';
import { complianceDocumentsKind } from './compliance-documents.kind';
import { complianceKind } from './compliance.kind';
import { contractsKind } from './contracts.kind';
import { equipmentKind } from './equipment.kind';
import { inspectionReportsKind } from './inspection-reports.kind';
import { invoicesKind } from './invoices.kind';
import { proposalsKind } from './proposals.kind';
import { serviceRequestsKind } from './service-requests.kind';
import { warrantiesKind } from './warranties.kind';
import { workOrdersKind } from './work-orders.kind';

/** Record kinds in navigation order. */
export const RECORD_KINDS: RecordKind[] = [
  inspectionReportsKind,
  invoicesKind,
  complianceKind,
  complianceDocumentsKind,
  contractsKind,
  proposalsKind,
  equipmentKind,
  workOrdersKind,
  warrantiesKind,
  serviceRequestsKind,
];
