import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
// argon2 accepts far more, but a cap keeps one request from costing much.
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's scale: 3 means "safely unguessable" against online and slowed offline attacks. */
const MIN_SCORE = 3;

// The dictionary (49,233 leaked passwords and a diceware list) ships inside
// the npm package, so the check runs offline and sends nothing anywhere.
let estimator: ZxcvbnFactory | undefined;
let common: Set<string> | undefined;

function load(): { estimator: ZxcvbnFactory; common: Set<string> } {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
  common ??= new Set((dictionary as Record<string, string[]>)['passwords-common']);
  return { estimator, common };
}

/**
 * Checks a new password and returns what is wrong with it, in words a
 * customer can act on, or null when it is acceptable. `context` holds words
 * the password must not lean on: the email, a name, the company.
 */
export function passwordProblem(password: string, email: string, context: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  if (password.trim().length === 0) return 'must not be only spaces';

  const lowered = password.toLowerCase();
  const address = email.toLowerCase();
  const localPart = address.split('@')[0];
  if (lowered === address || lowered.includes(address) || (localPart.length >= 4 && lowered === localPart)) {
    return 'must not be your email address';
  }

  const { estimator, common } = load();
  if (common.has(lowered)) return 'is on a list of commonly used passwords; choose another';
  const inputs = [address, localPart, ...context.filter((word) => word.length > 0)];
  if (estimator.check(password, inputs).score < MIN_SCORE) {
    return 'is too easy to guess; a few unrelated words or a longer phrase works well';
  }
  return null;
}
