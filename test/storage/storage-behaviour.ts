import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

import { documentKey, InvalidStorageKeyError, tenantPrefix, uploadKey, type DocumentStorage } from '../../libs/storage/src';

/** A driver under test, plus a way to see everything it has written. */
export interface StorageUnderTest {
  storage: DocumentStorage;
  /**
   * Lists every stored name, including any that landed outside the
   * driver's own area, so a test can prove a rejected call wrote nothing.
   */
  listEverything(): Promise<string[]>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);

  return Buffer.concat(chunks);
}

export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);

  return hash.digest('hex');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Builds a document key with a fresh record id, so tests never share objects. */
export function newDocumentKey(tenantId: string, bytes: Buffer = randomBytes(16)): string {
  return documentKey({
    tenantId,
    kind: 'inspection-reports',
    recordId: randomUUID(),
    contentHash: sha256(bytes),
    templateVersion: 1,
    brandingVersion: 1,
  });
}

/**
 * Keys that every driver must reject for `tenantId` before it touches
 * storage, each with a label that names the case.
 */
export function hostileKeys(tenantId: string, otherTenantId: string): Array<[string, string]> {
  const prefix = tenantPrefix(tenantId);
  const hash = 'a'.repeat(64);

  return [
    ['empty key', ''],
    ['dot-dot segment', `${prefix}documents/../../${otherTenantId}/x.pdf`],
    ['dot-slash segment', `${prefix}./documents/x.pdf`],
    ['double slash', `${prefix}documents//x.pdf`],
    ['trailing slash', `${prefix}documents/`],
    ['prefix alone', prefix],
    ['prefix without slash', `tenants/${tenantId}`],
    ['encoded dot-dot lowercase', `${prefix}documents/%2e%2e/x.pdf`],
    ['encoded dot-dot uppercase', `${prefix}documents/%2E%2E/x.pdf`],
    ['encoded slash', `${prefix}documents%2F..%2Fx.pdf`],
    ['encoded backslash lowercase', `${prefix}documents%5c..%5cx.pdf`],
    ['encoded backslash uppercase', `${prefix}documents%5C..%5Cx.pdf`],
    ['percent sign', `${prefix}documents/100%.pdf`],
    ['backslash', `${prefix}documents\\..\\x.pdf`],
    ['NUL byte', `${prefix}documents/x.pdf\u0000.txt`],
    ['line feed', `${prefix}documents/x\n.pdf`],
    ['delete character', `${prefix}documents/x\u007f.pdf`],
    ['hidden segment', `${prefix}documents/.x.pdf`],
    ['space', `${prefix}documents/x y.pdf`],
    ['non-ASCII letter', `${prefix}documents/\u00e9.pdf`],
    ['other tenant key', `tenants/${otherTenantId}/documents/invoices/${randomUUID()}/${hash}-t1-b1.pdf`],
    ['uppercase tenant id', `tenants/${tenantId.toUpperCase()}/documents/x.pdf`],
    ['absolute path', '/etc/passwd'],
    ['absolute tenant key', `/${prefix}documents/x.pdf`],
    ['escapes root after normalising', `${prefix}../../../outside.pdf`],
    ['no tenant prefix', `documents/x.pdf`],
    ['too long', `${prefix}${'a/'.repeat(600)}x.pdf`],
  ];
}

/**
 * Declares the tests that every DocumentStorage driver must pass. `createDriver` runs in
 * a beforeAll hook, after the spec's own hooks have started any server.
 */
export function describeDocumentStorage(name: string, createDriver: () => Promise<StorageUnderTest>): void {
  describe(`${name} shared behaviour`, () => {
    let driver: StorageUnderTest;
    let storage: DocumentStorage;
    const tenantA = randomUUID();
    const tenantB = randomUUID();

    beforeAll(async () => {
      driver = await createDriver();
      storage = driver.storage;
    });

    it('round-trips bytes and content type', async () => {
      const body = randomBytes(1000);
      const key = newDocumentKey(tenantA, body);

      await storage.put(tenantA, key, body, 'application/pdf');
      const stored = await storage.get(tenantA, key);

      expect(stored).not.toBeNull();
      expect(stored!.size).toBe(body.length);
      expect(stored!.contentType).toBe('application/pdf');
      expect((await readAll(stored!.stream)).equals(body)).toBe(true);
      expect(await storage.exists(tenantA, key)).toBe(true);
    });

    it('keeps content type parameters', async () => {
      const key = newDocumentKey(tenantA);

      await storage.put(tenantA, key, Buffer.from('plain'), 'text/plain; charset=utf-8');
      const stored = await storage.get(tenantA, key);

      expect(stored!.contentType).toBe('text/plain; charset=utf-8');
      await readAll(stored!.stream);
    });

    it('stores an empty body', async () => {
      const key = newDocumentKey(tenantA);

      await storage.put(tenantA, key, Buffer.alloc(0), 'application/pdf');
      const stored = await storage.get(tenantA, key);

      expect(stored!.size).toBe(0);
      expect((await readAll(stored!.stream)).length).toBe(0);
    });

    it('returns null for a missing key', async () => {
      const key = newDocumentKey(tenantA);

      expect(await storage.get(tenantA, key)).toBeNull();
      expect(await storage.exists(tenantA, key)).toBe(false);
    });

    it('returns null for a key that names a folder', async () => {
      const key = newDocumentKey(tenantA);
      await storage.put(tenantA, key, Buffer.from('x'), 'application/pdf');
      const folderKey = key.slice(0, key.lastIndexOf('/'));

      expect(await storage.get(tenantA, folderKey)).toBeNull();
      expect(await storage.exists(tenantA, folderKey)).toBe(false);
      await expect(storage.delete(tenantA, folderKey)).resolves.toBeUndefined();
      expect(await storage.exists(tenantA, key)).toBe(true);
    });

    it('accepts a repeated put of the same bytes', async () => {
      const body = randomBytes(2048);
      const key = newDocumentKey(tenantA, body);

      await storage.put(tenantA, key, body, 'application/pdf');
      await storage.put(tenantA, key, body, 'application/pdf');
      await Promise.all([1, 2, 3, 4].map(() => storage.put(tenantA, key, body, 'application/pdf')));
      const stored = await storage.get(tenantA, key);

      expect(stored!.size).toBe(body.length);
      expect((await readAll(stored!.stream)).equals(body)).toBe(true);
      expect(await driver.listEverything()).not.toContainEqual(expect.stringMatching(/\.tmp$/));
    });

    it('replaces an object with new bytes', async () => {
      const key = newDocumentKey(tenantA);
      const second = Buffer.from('second version');

      await storage.put(tenantA, key, Buffer.from('first version, longer'), 'application/pdf');
      await storage.put(tenantA, key, second, 'application/octet-stream');
      const stored = await storage.get(tenantA, key);

      expect(stored!.size).toBe(second.length);
      expect(stored!.contentType).toBe('application/octet-stream');
      expect((await readAll(stored!.stream)).equals(second)).toBe(true);
    });

    it('deletes an object', async () => {
      const key = newDocumentKey(tenantA);
      await storage.put(tenantA, key, Buffer.from('to delete'), 'application/pdf');

      await storage.delete(tenantA, key);

      expect(await storage.get(tenantA, key)).toBeNull();
      expect(await storage.exists(tenantA, key)).toBe(false);
      await expect(storage.delete(tenantA, key)).resolves.toBeUndefined();
    });

    it('streams a 5 MB body intact', async () => {
      const body = randomBytes(5 * 1024 * 1024);
      const key = uploadKey({ tenantId: tenantA, kind: 'contracts', recordId: randomUUID(), sha256: sha256(body) });

      await storage.put(tenantA, key, body, 'application/pdf');
      const stored = await storage.get(tenantA, key);

      expect(stored!.size).toBe(body.length);
      expect(await sha256OfStream(stored!.stream)).toBe(sha256(body));
    });

    it('rejects a put body that is not a Buffer', async () => {
      const key = newDocumentKey(tenantA);

      await expect(storage.put(tenantA, key, 'text' as unknown as Buffer, 'application/pdf')).rejects.toThrow(/must be a Buffer/);
      expect(await storage.exists(tenantA, key)).toBe(false);
    });

    it('rejects a malformed content type', async () => {
      const key = newDocumentKey(tenantA);

      for (const contentType of ['', 'pdf', 'application/pdf\r\nX-Injected: 1', 'text/html; charset="utf-8"']) {
        await expect(storage.put(tenantA, key, Buffer.from('x'), contentType)).rejects.toThrow(/Content type must be a media type/);
      }
      expect(await storage.exists(tenantA, key)).toBe(false);
    });

    it('rejects a malformed tenant id', async () => {
      const key = newDocumentKey(tenantA);

      for (const tenantId of ['', '..', 'tenant-a', tenantA.toUpperCase(), `${tenantA}/..`]) {
        await expect(storage.get(tenantId, key)).rejects.toThrow(InvalidStorageKeyError);
        await expect(storage.get(tenantId, key)).rejects.toThrow(/tenantId must be a lowercase UUID/);
      }
    });

    it("keeps tenant B's object from tenant A's calls", async () => {
      const body = Buffer.from('tenant B document');
      const keyOfB = newDocumentKey(tenantB, body);
      await storage.put(tenantB, keyOfB, body, 'application/pdf');
      const before = await driver.listEverything();

      await expect(storage.get(tenantA, keyOfB)).rejects.toThrow(InvalidStorageKeyError);
      await expect(storage.exists(tenantA, keyOfB)).rejects.toThrow(InvalidStorageKeyError);
      await expect(storage.delete(tenantA, keyOfB)).rejects.toThrow(InvalidStorageKeyError);
      await expect(storage.put(tenantA, keyOfB, Buffer.from('overwrite'), 'application/pdf')).rejects.toThrow(InvalidStorageKeyError);

      expect(await driver.listEverything()).toEqual(before);
      const stored = await storage.get(tenantB, keyOfB);
      expect((await readAll(stored!.stream)).equals(body)).toBe(true);
    });

    describe('hostile keys', () => {
      for (const [label, key] of hostileKeys(tenantA, tenantB)) {
        it(`rejects ${label}`, async () => {
          const before = await driver.listEverything();

          await expect(storage.put(tenantA, key, Buffer.from('hostile'), 'application/pdf')).rejects.toThrow(InvalidStorageKeyError);
          await expect(storage.get(tenantA, key)).rejects.toThrow(InvalidStorageKeyError);
          await expect(storage.exists(tenantA, key)).rejects.toThrow(InvalidStorageKeyError);
          await expect(storage.delete(tenantA, key)).rejects.toThrow(InvalidStorageKeyError);

          expect(await driver.listEverything()).toEqual(before);
        });
      }
    });
  });
}
