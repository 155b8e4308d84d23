/** One @, no spaces, quotes or brackets, and a dot in the domain. */
const EMAIL = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;
// PostgreSQL rejects NUL in text, and line breaks in a name would reach the
// plain-text part of an email as lines of their own.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

/** Checks an email address as typed into a form or a CSV file; returns the problem or null. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (CONTROL_CHARACTERS.test(email) || !EMAIL.test(email)) return 'must be an email address such as name@example.com';
  return null;
}

/** Checks a person's name, which may be empty; returns the problem or null. */
export function nameProblem(name: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  if (CONTROL_CHARACTERS.test(name)) return 'must not contain line breaks, tabs or other control characters';
  return null;
}

/** Returns whether a value contains a character no form field accepts: NUL, line breaks and other controls. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/**
 * Returns the address a visitor typed, if it looks like one, for the activity log.
 * Anything else is dropped, so a sign-in form cannot write arbitrary text
 * into the log that staff read.
 */
export function loggableEmail(email: string): string | null {
  return emailProblem(email) === null ? email : null;
}
