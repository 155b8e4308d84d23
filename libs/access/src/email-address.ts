/** One @, no spaces, quotes or brackets, and a dot in the domain. */
const EMAIL = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;
export const MAX_EMAIL_LENGTH = 254;

/** Checks an email address as typed into a form or a CSV file; returns the problem or null. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!EMAIL.test(email)) return 'must be an email address such as name@example.com';
  return null;
}
