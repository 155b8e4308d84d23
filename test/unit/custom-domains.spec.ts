import { createSocket, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

import { createDnsResolver } from '../../libs/domains/src/dns-resolver';
import { DomainNameError, parseCustomDomain } from '../../libs/domains/src/domain-name';
import { checkVerificationRecord } from '../../libs/domains/src/txt-verifier';
import { startDnsServer, TestDnsServer } from '../support/dns-server';

const PLATFORM = { PORTAL_BASE_DOMAIN: 'portal.example.net', CONSOLE_HOST: 'console.example.net' };

function reasonFor(raw: string): string {
  try {
    parseCustomDomain(raw, PLATFORM);
  } catch (error) {
    if (error instanceof DomainNameError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('parseCustomDomain', () => {
  it.each([
    ['Portal.Acme-Fire.com', 'portal.acme-fire.com'],
    ['portal.acme-fire.com.', 'portal.acme-fire.com'],
    ['  portal.acme-fire.com  ', 'portal.acme-fire.com'],
    ['portal.bücher.example', 'portal.xn--bcher-kva.example'],
    ['a-b.c-d.example', 'a-b.c-d.example'],
  ])('normalises %j', (raw, expected) => {
    expect(parseCustomDomain(raw, PLATFORM)).toBe(expected);
  });

  it.each([
    ['portal.example.net', 'is a platform hostname under portal.example.net'],
    ['acme.portal.example.net', 'is a platform hostname under portal.example.net'],
    ['ACME.Portal.Example.Net.', 'is a platform hostname under portal.example.net'],
    ['console.example.net', "is the staff console's hostname"],
    ['localhost', 'is reserved for the local machine'],
    ['acme.localhost', 'is reserved for the local machine'],
    ['10.0.0.1', 'is an IP address'],
    ['::1', 'is an IP address'],
    ['[fe80::1]', 'is an IP address'],
    ['0x7f.1', 'is an IP address'],
    ['2130706433', 'is an IP address'],
    ['example', 'is a single label'],
    ['http://portal.acme.com', 'starts with a scheme'],
    ['portal.acme.com/x', 'contains a path'],
    ['user@portal.acme.com', 'contains a path'],
    ['portal.acme.com:443', 'contains a port'],
    ['portal..acme.com', 'has an invalid label ""'],
    ['portal.acme-.com', 'has an invalid label "acme-"'],
    ['portal acme.com', 'contains a space'],
    ['', 'is missing'],
  ])('rejects %j', (raw, reason) => {
    expect(reasonFor(raw)).toContain(reason);
  });

  it('keeps room for the verification record name', () => {
    // 232 characters is the longest name whose _portal-verification record fits in 253.
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(36)}.com`;
    expect(longest).toHaveLength(232);
    expect(parseCustomDomain(longest, PLATFORM)).toBe(longest);
    expect(reasonFor(`d${longest}`)).toContain('is longer than 232 characters');
  });
});

describe('checkVerificationRecord', () => {
  const token = 'tok-0123456789abcdef';
  let dns: TestDnsServer;
  let silent: Socket;
  let silentAddress: string;

  beforeAll(async () => {
    dns = await startDnsServer();
    // A server that reads every question and never answers.
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    silentAddress = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await dns.close();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  const check = (hostname: string, server = dns.address) => checkVerificationRecord(createDnsResolver([server], 300), hostname, token);

  it('accepts the matching record among others', async () => {
    dns.set('_portal-verification.ok.example', { TXT: ['google-site-verification=abc', `portal-verification=${token}`] });

    expect(await check('ok.example')).toEqual({ verified: true });
  });

  it('reports a missing name as NXDOMAIN', async () => {
    expect(await check('missing.example')).toEqual({
      verified: false,
      reason: '_portal-verification.missing.example does not exist (NXDOMAIN); publish the TXT record and try again',
    });
  });

  it('reports a name without TXT records', async () => {
    dns.set('_portal-verification.empty.example', { A: ['203.0.113.9'] });

    expect(await check('empty.example')).toEqual({
      verified: false,
      reason: '_portal-verification.empty.example has no TXT record; publish the TXT record and try again',
    });
  });

  it('reports records that do not match', async () => {
    dns.set('_portal-verification.other.example', { TXT: [`portal-verification=${token}x`, 'portal-verification='] });

    expect(await check('other.example')).toEqual({
      verified: false,
      reason: `_portal-verification.other.example has 2 TXT record(s), none of them portal-verification=${token}`,
    });
  });

  it('reports a timeout', async () => {
    expect(await check('slow.example', silentAddress)).toEqual({
      verified: false,
      reason: 'DNS lookup of _portal-verification.slow.example timed out; try again later',
    });
  });
});
