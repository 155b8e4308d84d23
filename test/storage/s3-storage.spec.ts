import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

import { InvalidStorageKeyError, S3Storage, type S3StorageOptions } from '../../libs/storage/src';
import { describeDocumentStorage, hostileKeys, newDocumentKey } from './storage-behaviour';

const BUCKET = 'portal-documents-test';

/** The access key pair that s3rver 3.7 registers by default. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe('S3Storage', () => {
  let directory: string;
  let server: S3rver;
  let options: S3StorageOptions;
  let listingClient: S3Client;
  const drivers: S3Storage[] = [];

  // Every client gets an explicit loopback endpoint, a region and static
  // credentials, so the SDK never contacts AWS or the instance metadata service.
  beforeAll(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'portal-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;

    options = { bucket: BUCKET, region: 'us-east-1', endpoint, forcePathStyle: true, ...S3RVER_CREDENTIALS };
    listingClient = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  });

  afterAll(async () => {
    for (const driver of drivers) driver.destroy();
    listingClient?.destroy();
    await server?.close();
    await fs.rm(directory, { recursive: true, force: true });
  });

  function newDriver(overrides: Partial<S3StorageOptions> = {}): S3Storage {
    const driver = new S3Storage({ ...options, ...overrides });
    drivers.push(driver);

    return driver;
  }

  /** Lists every key in the test bucket, following continuation tokens. */
  async function listBucket(): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await listingClient.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: continuationToken }));
      for (const object of page.Contents ?? []) keys.push(object.Key!);
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);

    return keys.sort();
  }

  describeDocumentStorage('S3Storage', async () => ({ storage: newDriver(), listEverything: listBucket }));

  it('stores the content type on the object', async () => {
    const storage = newDriver();
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);

    await storage.put(tenantId, key, Buffer.from('%PDF-1.7'), 'application/pdf');

    const head = await listingClient.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('application/pdf');
    expect(head.ContentLength).toBe(8);
  });

  it('writes nothing to the bucket for hostile keys', async () => {
    const storage = newDriver();
    const tenantId = randomUUID();
    const before = await listBucket();

    for (const [label, key] of hostileKeys(tenantId, randomUUID())) {
      await expect(storage.put(tenantId, key, Buffer.from(label), 'application/pdf')).rejects.toThrow(InvalidStorageKeyError);
    }

    const after = await listBucket();
    expect(after).toEqual(before);
    expect(after.filter((key) => key.includes(tenantId))).toEqual([]);
  });

  it('throws for a missing bucket', async () => {
    const storage = newDriver({ bucket: 'portal-missing-bucket' });
    const tenantId = randomUUID();

    await expect(storage.get(tenantId, newDocumentKey(tenantId))).rejects.toThrow(S3ServiceException);
    await expect(storage.get(tenantId, newDocumentKey(tenantId))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  // s3rver 3.7 does not verify SigV4 signatures, so only an unknown key id can be tested here.
  it('throws for an unknown access key id', async () => {
    const storage = newDriver({ accessKeyId: 'UNKNOWN', secretAccessKey: 'S3RVER' });
    const tenantId = randomUUID();
    const key = newDocumentKey(tenantId);

    await expect(storage.put(tenantId, key, Buffer.from('x'), 'application/pdf')).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(storage.get(tenantId, key)).rejects.toThrow(S3ServiceException);
  });

  it('requires both static credentials or neither', () => {
    expect(() => new S3Storage({ ...options, secretAccessKey: '' })).toThrow(/S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
    expect(() => new S3Storage({ ...options, accessKeyId: '' })).toThrow(/S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
  });

  it('requires a bucket', () => {
    expect(() => new S3Storage({ ...options, bucket: '' })).toThrow(/S3_BUCKET/);
  });
});
