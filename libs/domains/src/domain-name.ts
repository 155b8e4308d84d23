import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

import type { AppConfig } from '../../config/src';

export type PlatformHosts = Pick<AppConfig, 'PORTAL_BASE_DOMAIN' | 'CONSOLE_HOST'>;

/** A host name staff may not add; the reason completes the sentence "hostname …". */
export class DomainNameError extends Error {
  constructor(readonly reason: string) {
    super(`hostname: ${reason}`);
    this.name = 'DomainNameError';
  }
}

const MAX_INPUT_LENGTH = 300;
// The TXT record `_portal-verification.<hostname>` must itself fit in 253 characters.
const MAX_HOSTNAME_LENGTH = 253 - '_portal-verification.'.length;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises a custom domain the way TenantResolver normalises a Host
 * header: lower case, no trailing dot, IDN to punycode. Throws
 * DomainNameError for what cannot be a tenant's own domain, such as IP
 * literals, single labels, a scheme, path or port, and platform hostnames.
 */
export function parseCustomDomain(raw: string, platform: PlatformHosts): string {
  const text = raw.trim();
  if (text === '') throw new DomainNameError('is missing; enter a host name such as portal.example.com');
  if (text.length > MAX_INPUT_LENGTH) throw new DomainNameError(`is longer than ${MAX_HOSTNAME_LENGTH} characters`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new DomainNameError('starts with a scheme such as https://; enter the host name only, such as portal.example.com');
  }
  if (/[/?#\\@]/.test(text)) throw new DomainNameError('contains a path or other URL parts; enter the host name only');
  if (/\s/.test(text)) throw new DomainNameError('contains a space');
  if (isIP(text.replace(/^\[(.*)\]$/, '$1')) !== 0) throw new DomainNameError('is an IP address; enter a host name');
  if (text.includes(':')) throw new DomainNameError('contains a port; enter the host name without :port');

  const ascii = domainToASCII(text.replace(/\.$/, '').toLowerCase());
  if (!ascii) throw new DomainNameError('is not a valid host name');
  if (ascii.length > MAX_HOSTNAME_LENGTH) throw new DomainNameError(`is longer than ${MAX_HOSTNAME_LENGTH} characters`);

  const labels = ascii.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    throw new DomainNameError(
      `has an invalid label "${bad}"; each part between dots has 1 to 63 letters, digits or hyphens and does not start or end with a hyphen`,
    );
  }
  // The WHATWG parser turns 127.1 and 0x7f.1 into addresses, and a top-level domain is never numeric.
  if (/^(0x[0-9a-f]*|\d+)$/.test(labels[labels.length - 1])) throw new DomainNameError('is an IP address; enter a host name');
  rejectPlatformHost(ascii, platform);
  if (labels.length < 2) throw new DomainNameError('is a single label; enter a full domain such as portal.example.com');
  return ascii;
}

function rejectPlatformHost(hostname: string, platform: PlatformHosts): void {
  const base = platform.PORTAL_BASE_DOMAIN;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    throw new DomainNameError('is reserved for the local machine');
  }
  if (hostname === base || hostname.endsWith(`.${base}`)) {
    throw new DomainNameError(`is a platform hostname under ${base}; the portal already serves {slug}.${base}`);
  }
  if (hostname === platform.CONSOLE_HOST) throw new DomainNameError("is the staff console's hostname");
}

/** Name of the TXT record that proves control of a domain. */
export function verificationRecordName(hostname: string): string {
  return `_portal-verification.${hostname}`;
}

/** Value the TXT record must carry for a domain's token. */
export function verificationRecordValue(token: string): string {
  return `portal-verification=${token}`;
}
