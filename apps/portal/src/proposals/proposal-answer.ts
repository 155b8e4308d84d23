import { hasControlCharacters } from '../../../../libs/access/src/contact-fields';
import { isUuid } from '../../../../libs/records/src/paging';

export const SIGNER_NAME_MAX = 200;
export const DECLINE_REASON_MAX = 2000;
const FINGERPRINT = /^[0-9a-f]{64}$/;
/** More than any real proposal has; a longer list is a forged form. */
const OPTIONAL_LINES_MAX = 200;

export type ProposalAnswer =
  | { decision: 'accepted'; signerName: string; optionalLineIds: string[]; fingerprint: string }
  | { decision: 'declined'; reason: string | null; fingerprint: string };

/** The form's values as typed, so a page with errors can show them again. */
export interface AnswerFormValues {
  signerName: string;
  confirmed: boolean;
  optionalLineIds: string[];
  reason: string;
}

export type ParsedAnswer =
  | { ok: true; answer: ProposalAnswer; values: AnswerFormValues }
  | { ok: false; errors: Record<string, string>; values: AnswerFormValues };

function single(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Accepts one value or a repeated field, as urlencoded forms send checkboxes. */
function list(value: unknown): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === 'string');
}

/**
 * Reads an accept or decline form. An acceptance needs the signer's full
 * name and the confirmation box; a decline takes an optional reason. Both
 * carry the fingerprint of the proposal as the page showed it.
 */
export function parseAnswer(decision: 'accepted' | 'declined', body: Record<string, unknown>): ParsedAnswer {
  const values: AnswerFormValues = {
    signerName: single(body.signerName).trim(),
    confirmed: body.confirm === 'yes',
    optionalLineIds: list(body.optionalLines),
    reason: single(body.reason).trim(),
  };
  const errors: Record<string, string> = {};
  const fingerprint = single(body.fingerprint);
  if (!FINGERPRINT.test(fingerprint)) errors.fingerprint = 'is missing or malformed; reload the proposal and try again';

  if (decision === 'accepted') {
    if (!values.signerName) errors.signerName = 'is required: type your full name to sign';
    else if (values.signerName.length > SIGNER_NAME_MAX) errors.signerName = `must be at most ${SIGNER_NAME_MAX} characters`;
    else if (hasControlCharacters(values.signerName)) errors.signerName = 'must not contain control characters';
    if (!values.confirmed) errors.confirm = 'must be ticked to accept the proposal';
    if (values.optionalLineIds.length > OPTIONAL_LINES_MAX || !values.optionalLineIds.every(isUuid)) {
      errors.optionalLines = 'must name optional lines of this proposal';
    }
  } else {
    if (values.reason.length > DECLINE_REASON_MAX) errors.reason = `must be at most ${DECLINE_REASON_MAX} characters`;
    else if (hasControlCharacters(values.reason.replace(/\r?\n/g, ' '))) errors.reason = 'must not contain control characters';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const answer: ProposalAnswer =
    decision === 'accepted'
      ? { decision, signerName: values.signerName, optionalLineIds: [...new Set(values.optionalLineIds)], fingerprint }
      : { decision, reason: values.reason || null, fingerprint };
  return { ok: true, answer, values };
}
