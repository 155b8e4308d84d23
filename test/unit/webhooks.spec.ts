import { parseWebhookForm } from '../../apps/console/src/webhooks/webhook-form';
import { decryptSecret, encryptSecret, newSigningSecret } from '../../libs/webhooks/src/secret-box';
import { signatureHeader, verifySignature } from '../../libs/webhooks/src/signature';
import { forbiddenKind } from '../../libs/webhooks/src/target-address';
import { parseWebhookUrl, WebhookTargetError } from '../../libs/webhooks/src/webhook-target';

const TENANT = '11111111-1111-4111-8111-111111111111';
const ENDPOINT = '22222222-2222-4222-8222-222222222222';

describe('forbiddenKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::7f00:1', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b:1:ffff::8.8.8.8', 'private'],
    ['2001::1', 'Teredo tunnel'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo tunnel'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.20', 'documentation'],
    ['203.0.113.10', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff::1', 'documentation'],
  ])('rejects %s as %s', (address, kind) => {
    expect(forbiddenKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '203.0.114.1', '2606:4700::1111', '::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '2001:1::1', '2001:db9::1'])('allows %s', (address) => {
    expect(forbiddenKind(address)).toBeNull();
  });
});

describe('parseWebhookUrl', () => {
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
  ])('normalises %s to %s', (raw, hostname) => {
    expect(parseWebhookUrl(raw).hostname).toBe(hostname);
  });

  it.each([
    ['', 'url: is missing'],
    ['javascript:alert(1)', 'url: uses javascript'],
    ['file:///etc/passwd', 'url: uses file'],
    ['https://a:b@hooks.example/', 'url: contains a user name or password'],
    ['https://hooks.example/#part', 'url: contains a #fragment'],
    [`https://hooks.example/${'a'.repeat(2000)}`, 'url: is longer than 2000 characters'],
  ])('rejects %s', (raw, message) => {
    expect(() => parseWebhookUrl(raw)).toThrow(WebhookTargetError);
    expect(() => parseWebhookUrl(raw)).toThrow(message);
  });
});

describe('secret box', () => {
  const key = Buffer.alloc(32, 3);

  it('decrypts what it encrypted', () => {
    const secret = newSigningSecret();
    expect(decryptSecret(key, encryptSecret(key, secret, TENANT, ENDPOINT), TENANT, ENDPOINT)).toBe(secret);
  });

  it('rejects another endpoint or key', () => {
    const stored = encryptSecret(key, newSigningSecret(), TENANT, ENDPOINT);
    expect(() => decryptSecret(key, stored, TENANT, TENANT)).toThrow();
    expect(() => decryptSecret(Buffer.alloc(32, 4), stored, TENANT, ENDPOINT)).toThrow();
  });

  it('uses a fresh IV each time', () => {
    const secret = newSigningSecret();
    expect(encryptSecret(key, secret, TENANT, ENDPOINT).equals(encryptSecret(key, secret, TENANT, ENDPOINT))).toBe(false);
  });
});

describe('webhook signature', () => {
  const body = '{"id":"e1","type":"ping","data":{}}';

  it('verifies its own header', () => {
    expect(verifySignature('whsec_a', signatureHeader('whsec_a', 1_700_000_000, body), body, 1_700_000_010)).toBe(true);
  });

  it('rejects changed body, secret or old timestamp', () => {
    const header = signatureHeader('whsec_a', 1_700_000_000, body);
    expect(verifySignature('whsec_a', header, `${body} `, 1_700_000_000)).toBe(false);
    expect(verifySignature('whsec_b', header, body, 1_700_000_000)).toBe(false);
    expect(verifySignature('whsec_a', header, body, 1_700_000_000 + 301)).toBe(false);
  });
});

describe('parseWebhookForm', () => {
  it('reads several event types in catalogue order', () => {
    const form = parseWebhookForm({ url: ' https://hooks.example/ ', description: 'CRM', event_types: ['document.viewed', 'proposal.accepted'] });
    expect(form.problems).toEqual({});
    expect(form.eventTypes).toEqual(['proposal.accepted', 'document.viewed']);
    expect(form.values.url).toBe('https://hooks.example/');
  });

  it('names each bad field', () => {
    const form = parseWebhookForm({ url: ['a', 'b'], description: 'x\u0007', event_types: [] });
    expect(form.problems.url).toBe('url: must be sent once');
    expect(form.problems.description).toMatch(/^description: contains control characters/);
    expect(form.problems.event_types).toBe('event_types: choose at least one event');
  });
});
