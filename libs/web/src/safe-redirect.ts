/**
 * Returns a path on this host to go to after login: only a local absolute
 * path, never a scheme-relative (//evil) or backslash form that browsers
 * would treat as another host.
 */
export function safeReturnPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(raw)) return fallback;
  if (raw.startsWith('/login') || raw.startsWith('/logout')) return fallback;
  return raw;
}
