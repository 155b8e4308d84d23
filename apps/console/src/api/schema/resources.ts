import { contracts, invoices, proposals } from './billing-resources';
import { customerCompanies, portalUsers, sites } from './customer-resources';
import {
  complianceDocuments,
  complianceRequirements,
  equipment,
  inspectionReports,
  warranties,
  workOrders,
} from './field-resources';
import { ResourceDefinition } from './resource-definition';

/**
 * Every resource of the API, in the order the documentation lists them.
 * Service requests are filed by customers in the portal, so the API does
 * not write them.
 */
export const RESOURCES: readonly ResourceDefinition[] = [
  customerCompanies,
  sites,
  portalUsers,
  equipment,
  inspectionReports,
  invoices,
  complianceRequirements,
  complianceDocuments,
  contracts,
  proposals,
  workOrders,
  warranties,
];

const BY_PATH = new Map(RESOURCES.map((resource) => [resource.path, resource]));

export function resourceAt(path: string): ResourceDefinition | undefined {
  return BY_PATH.get(path);
}
