import { randomUUID } from 'node:crypto';

import {
  assertKeyInTenant,
  documentKey,
  InvalidStorageKeyError,
  tenantPrefix,
  uploadKey,
  type DocumentKeyParts,
  type UploadKeyParts,
} from '../../libs/storage/src';

const tenantId = '0b7c1d8e-5f3a-4c2b-9e1d-2a3b4c5d6e7f';
const recordId = '9f8e7d6c-5b4a-4321-8fed-cba987654321';
const hash = 'ab'.repeat(32);

const validDocument: DocumentKeyParts = {
  tenantId,
  kind: 'inspection-reports',
  recordId,
  contentHash: hash,
  templateVersion: 3,
  brandingVersion: 7,
};

const validUpload: UploadKeyParts = { tenantId, kind: 'contracts', recordId, sha256: hash };

/** Values that no part may take, whatever its type. */
const hostileStrings = [
  '',
  '..',
  '../x',
  'a/b',
  'a\\b',
  '%2e%2e',
  '%2F',
  '%5c',
  'a\u0000b',
  'a\nb',
  ' ',
];

function expectRejectedPart(build: () => string, part: string): void {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }

  expect(caught).toBeInstanceOf(InvalidStorageKeyError);
  expect((caught as InvalidStorageKeyError).part).toBe(part);
  expect((caught as InvalidStorageKeyError).message).toContain(part);
}

describe('documentKey', () => {
  it('builds the key from its parts', () => {
    expect(documentKey(validDocument)).toBe(`tenants/${tenantId}/documents/inspection-reports/${recordId}/${hash}-t3-b7.pdf`);
  });

  it('passes its own tenant check', () => {
    expect(() => assertKeyInTenant(documentKey(validDocument), tenantId)).not.toThrow();
  });

  const badValues: Array<[keyof DocumentKeyParts, unknown[]]> = [
    ['tenantId', [...hostileStrings, tenantId.toUpperCase(), `{${tenantId}}`, tenantId.replace(/-/g, ''), `${tenantId}x`, 42]],
    ['kind', [...hostileStrings, 'Invoices', 'invoices_', '-invoices', 'invoices-', 'in--voices', '1invoices', 'in.voices', 'a'.repeat(64), null]],
    ['recordId', [...hostileStrings, recordId.toUpperCase(), undefined]],
    ['contentHash', [...hostileStrings, hash.toUpperCase(), hash.slice(1), `${hash}0`, 'g'.repeat(64)]],
    ['templateVersion', [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', '../1']],
    ['brandingVersion', [0, -3, 0.1, '7', null]],
  ];

  for (const [part, values] of badValues) {
    it(`rejects a bad ${part}`, () => {
      for (const value of values) {
        expectRejectedPart(() => documentKey({ ...validDocument, [part]: value }), part);
      }
    });
  }
});

describe('uploadKey', () => {
  it('builds the key from its parts', () => {
    expect(uploadKey(validUpload)).toBe(`tenants/${tenantId}/uploads/contracts/${recordId}/${hash}.pdf`);
  });

  const badValues: Array<[keyof UploadKeyParts, unknown[]]> = [
    ['tenantId', [...hostileStrings, tenantId.toUpperCase()]],
    ['kind', [...hostileStrings, 'Contracts', 'contracts/..']],
    ['recordId', [...hostileStrings, 'not-a-uuid']],
    ['sha256', [...hostileStrings, hash.toUpperCase(), 'z'.repeat(64)]],
  ];

  for (const [part, values] of badValues) {
    it(`rejects a bad ${part}`, () => {
      for (const value of values) {
        expectRejectedPart(() => uploadKey({ ...validUpload, [part]: value }), part);
      }
    });
  }
});

describe('tenantPrefix', () => {
  it('ends with a slash', () => {
    expect(tenantPrefix(tenantId)).toBe(`tenants/${tenantId}/`);
  });

  it('rejects a bad tenant id', () => {
    for (const value of hostileStrings) {
      expectRejectedPart(() => tenantPrefix(value), 'tenantId');
    }
  });
});

describe('assertKeyInTenant', () => {
  it('accepts a hand-written key under the prefix', () => {
    expect(() => assertKeyInTenant(`tenants/${tenantId}/exports/2025-01_report.v2.pdf`, tenantId)).not.toThrow();
  });

  it.each([
    ['a key of another tenant', `tenants/${randomUUID()}/documents/x.pdf`, /not under the prefix/],
    ['a dot-dot segment', `tenants/${tenantId}/../${randomUUID()}/x.pdf`, /"\.\." segment/],
    ['a dot segment', `tenants/${tenantId}/./x.pdf`, /"\." segment/],
    ['an empty segment', `tenants/${tenantId}//x.pdf`, /empty segment/],
    ['an encoded slash', `tenants/${tenantId}/a%2Fb.pdf`, /percent-encoded/],
    ['an encoded dot', `tenants/${tenantId}/%2e%2E/x.pdf`, /percent-encoded/],
    ['an encoded backslash', `tenants/${tenantId}/a%5Cb.pdf`, /percent-encoded/],
    ['a backslash', `tenants/${tenantId}/a\\b.pdf`, /backslash/],
    ['a NUL byte', `tenants/${tenantId}/a\u0000.pdf`, /control character/],
    ['an absolute path', `/tenants/${tenantId}/x.pdf`, /absolute path/],
    ['a colon', `tenants/${tenantId}/c:x.pdf`, /may contain only/],
    ['a hidden segment', `tenants/${tenantId}/.x.pdf`, /starts with "\."/],
    ['the prefix alone', `tenants/${tenantId}/`, /empty segment/],
  ])('rejects %s', (_label, key, reason) => {
    expect(() => assertKeyInTenant(key, tenantId)).toThrow(InvalidStorageKeyError);
    expect(() => assertKeyInTenant(key, tenantId)).toThrow(reason);
  });

  it('rejects a key that is not a string', () => {
    expect(() => assertKeyInTenant(undefined as unknown as string, tenantId)).toThrow(/Storage key is missing/);
  });

  it('shows control characters escaped in the message', () => {
    expect(() => assertKeyInTenant(`tenants/${tenantId}/a\u0000.pdf`, tenantId)).toThrow('a\\u0000.pdf');
  });
});
