import { emailProblem, nameProblem } from '../../../../libs/access/src/contact-fields';

/** A user row of an import as stored in user_import_rows. */
export interface ImportRow {
  line_number: number;
  email: string;
  company_ref: string;
  name: string | null;
}

/** Customer companies that a batch's company values can match, by external id or exact name. */
export interface CompanyDirectory {
  byExternalId: Map<string, string>;
  byName: Map<string, string[]>;
}


/** Returns why the row's own values cannot be imported, or null. Company lookup and duplicates are checked elsewhere. */
export function rowProblem(row: ImportRow): string | null {
  // The same check as the single invitation form.
  const emailIssue = emailProblem(row.email);
  if (emailIssue) return `The email ${emailIssue}.`;
  if (row.company_ref === '') return 'The company is missing.';
  const nameIssue = nameProblem(row.name ?? '');
  if (nameIssue) return `The name ${nameIssue}.`;
  return null;
}

/** Finds the company a row names: an external id wins over a name, and a name shared by several companies matches none. */
export function resolveCompany(directory: CompanyDirectory, reference: string): { companyId: string } | { problem: string } {
  const byExternalId = directory.byExternalId.get(reference);
  if (byExternalId) return { companyId: byExternalId };

  const byName = directory.byName.get(reference) ?? [];
  if (byName.length === 1) return { companyId: byName[0] };
  const quoted = JSON.stringify(reference.length > 100 ? `${reference.slice(0, 100)}…` : reference);
  if (byName.length > 1) return { problem: `Several customer companies are named ${quoted}; use the external id instead.` };
  return { problem: `No customer company has the external id or exact name ${quoted}.` };
}
