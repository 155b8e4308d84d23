import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { InvalidStorageKeyError, LocalStorage, resolveInsideRoot } from '../../libs/storage/src';
import { describeDocumentStorage, hostileKeys, newDocumentKey, readAll } from './storage-behaviour';

/** Lists every file and folder under `folder`, relative to it, sorted. */
async function listTree(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { recursive: true });

  return entries.sort();
}

describe('LocalStorage', () => {
  // Each driver's root is `<base>/root`, so listing `<base>` shows any file that escaped the root.
  let base: string;

  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-local-storage-'));
  });

  afterAll(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  async function newDriverFolder(): Promise<{ folder: string; root: string }> {
    const folder = await fs.mkdtemp(path.join(base, 'driver-'));

    return { folder, root: path.join(folder, 'root') };
  }

  describeDocumentStorage('LocalStorage', async () => {
    const { folder, root } = await newDriverFolder();

    return { storage: new LocalStorage(root), listEverything: () => listTree(folder) };
  });

  it('resolves a relative root to an absolute path', () => {
    const storage = new LocalStorage('relative/storage');

    expect(storage.root).toBe(path.resolve('relative/storage'));
  });

  it('rejects an empty root folder', () => {
    expect(() => new LocalStorage('')).toThrow(/STORAGE_LOCAL_DIR/);
  });

  it('writes the file and its metadata only', async () => {
    const { root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);

    await storage.put(tenantId, key, Buffer.from('%PDF-1.7'), 'application/pdf');

    const file = path.join(root, ...key.split('/'));
    const folderEntries = await fs.readdir(path.dirname(file));
    expect(folderEntries.sort()).toEqual([path.basename(file), `${path.basename(file)}.meta.json`]);
    expect(await fs.readFile(file, 'utf8')).toBe('%PDF-1.7');
    expect(JSON.parse(await fs.readFile(`${file}.meta.json`, 'utf8'))).toEqual({ contentType: 'application/pdf' });
  });

  it('removes the metadata on delete', async () => {
    const { root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);
    await storage.put(tenantId, key, Buffer.from('x'), 'application/pdf');

    await storage.delete(tenantId, key);

    const file = path.join(root, ...key.split('/'));
    expect(await fs.readdir(path.dirname(file))).toEqual([]);
  });

  it('reports a file without metadata as octet-stream', async () => {
    const { root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);
    const file = path.join(root, ...key.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'copied by hand');

    const stored = await storage.get(tenantId, key);

    expect(stored!.contentType).toBe('application/octet-stream');
    expect((await readAll(stored!.stream)).toString()).toBe('copied by hand');
  });

  it('keeps an open reader on the old bytes', async () => {
    const { root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);
    const first = Buffer.alloc(256 * 1024, 1);
    const second = Buffer.alloc(128 * 1024, 2);
    await storage.put(tenantId, key, first, 'application/pdf');

    const reader = await storage.get(tenantId, key);
    await storage.put(tenantId, key, second, 'application/pdf');

    expect((await readAll(reader!.stream)).equals(first)).toBe(true);
    const fresh = await storage.get(tenantId, key);
    expect((await readAll(fresh!.stream)).equals(second)).toBe(true);
  });

  it('rejects metadata file names as keys', async () => {
    const { folder, root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();
    const key = `${newDocumentKey(tenantId)}.meta.json`;

    await expect(storage.put(tenantId, key, Buffer.from('{}'), 'application/json')).rejects.toThrow(InvalidStorageKeyError);
    await expect(storage.get(tenantId, key)).rejects.toThrow(/hold metadata/);
    expect(await listTree(folder)).toEqual([]);
  });

  it('writes nothing anywhere for hostile keys', async () => {
    const { folder, root } = await newDriverFolder();
    const storage = new LocalStorage(root);
    const tenantId = randomUUID();

    for (const [label, key] of hostileKeys(tenantId, randomUUID())) {
      await expect(storage.put(tenantId, key, Buffer.from(label), 'application/pdf')).rejects.toThrow(InvalidStorageKeyError);
    }

    // Not even the root folder exists, so every put was stopped before mkdir.
    expect(await listTree(folder)).toEqual([]);
  });

  it('rejects a tenant folder linked outside', async () => {
    const { folder, root } = await newDriverFolder();
    const outside = path.join(folder, 'outside');
    await fs.mkdir(outside);
    await fs.mkdir(path.join(root, 'tenants'), { recursive: true });
    const tenantId = randomUUID();
    await fs.symlink(outside, path.join(root, 'tenants', tenantId));
    const storage = new LocalStorage(root);
    const key = newDocumentKey(tenantId);

    await expect(storage.put(tenantId, key, Buffer.from('x'), 'application/pdf')).rejects.toThrow(/outside the storage folder/);
    await expect(storage.get(tenantId, key)).rejects.toThrow(/outside the storage folder/);

    // mkdir may have followed the link and made empty folders, but no file may appear there.
    const entries = await fs.readdir(outside, { recursive: true, withFileTypes: true });
    expect(entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name)).toEqual([]);
  });
});

describe('resolveInsideRoot', () => {
  const root = path.resolve(os.tmpdir(), 'portal-storage-root');

  it('joins a key under the root', () => {
    expect(resolveInsideRoot(root, 'tenants/x/a.pdf')).toBe(path.join(root, 'tenants', 'x', 'a.pdf'));
  });

  it.each([
    ['parent folder', '../outside.pdf'],
    ['parent after normalising', 'tenants/../../outside.pdf'],
    ['sibling with root as prefix', '../portal-storage-root-other/a.pdf'],
    ['absolute path', '/etc/passwd'],
    ['the root itself', ''],
    ['the root after normalising', 'tenants/..'],
  ])('rejects %s', (_label, key) => {
    expect(() => resolveInsideRoot(root, key)).toThrow(InvalidStorageKeyError);
    expect(() => resolveInsideRoot(root, key)).toThrow(/outside the storage folder/);
  });
});
