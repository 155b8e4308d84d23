import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Returns true when a Host header is plain visible ASCII. Browsers send
 * internationalised names in punycode, so raw Unicode in a request's Host
 * is a forgery and is not mapped to a similar-looking ASCII name.
 */
export function isAsciiHostHeader(raw: string): boolean {
  return /^[\x21-\x7e]+$/.test(raw);
}

/**
 * Normalises a Host header value for lookup: lower case, no port, no
 * trailing dot, internationalised names in their ASCII (punycode) form.
 * Returns null for anything that is not a plausible DNS host name, including
 * IP literals, which never name a tenant.
 */
export function normalizeHost(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let host = raw.trim();
  if (host.length === 0 || host.length > 300) return null;

  if (host.startsWith('[')) return null;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
    host = host.slice(0, colon);
  }
  host = host.replace(/\.$/, '');
  if (host.length === 0 || /[\s/\\@?#%]/.test(host)) return null;

  const ascii = domainToASCII(host.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (!labels.every((label) => LABEL.test(label))) return null;
  if (labels.every((label) => /^\d+$/.test(label))) return null;
  return ascii;
}

/** Returns the tenant slug when the host is a platform host, {slug}.{baseDomain}. */
export function platformSlug(host: string, baseDomain: string): string | null {
  const suffix = `.${baseDomain}`;
  if (!host.endsWith(suffix)) return null;
  const slug = host.slice(0, -suffix.length);
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(slug) ? slug : null;
}
