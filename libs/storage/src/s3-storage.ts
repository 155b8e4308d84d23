import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';

import { assertPutArguments, type DocumentStorage, type StoredObject } from './document-storage';
import { assertKeyInTenant } from './storage-keys';

/** Connection settings, matching the S3_* configuration variables. */
export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** URL of an S3-compatible server. When empty or undefined, the SDK uses AWS for `region`. */
  endpoint?: string;
  /** Whether the bucket goes in the URL path instead of the host name, as most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Static credentials. When both are empty, the SDK uses its default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * Stores each object in one S3 bucket under its key. S3 replaces an object
 * in one step, so readers see the old object or the new one.
 *
 * The credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and
 * s3:ListBucket. Without s3:ListBucket, S3 returns 403 instead of 404 for a
 * missing key, and get and exists throw instead of returning null and false.
 */
export class S3Storage implements DocumentStorage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    if (!options.bucket) {
      throw new Error('The S3 bucket is missing; set S3_BUCKET.');
    }
    this.bucket = options.bucket;
    this.client = new S3Client(buildClientConfig(options));
  }

  async put(tenantId: string, key: string, body: Buffer, contentType: string): Promise<void> {
    assertKeyInTenant(key, tenantId);
    assertPutArguments(body, contentType);

    // S3 rejects the upload with BadDigest when the bytes it receives do not match.
    const contentMd5 = createHash('md5').update(body).digest('base64');

    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType,
        ContentMD5: contentMd5,
      }),
    );
  }

  async get(tenantId: string, key: string): Promise<StoredObject | null> {
    assertKeyInTenant(key, tenantId);

    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      // A missing bucket is NoSuchBucket, also a 404, and must not read as a missing key.
      if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return null;
      throw error;
    }

    const { Body: body, ContentLength: size } = response;
    if (!(body instanceof Readable) || size === undefined) {
      throw new Error(`S3 returned no readable body or length for key ${key} in bucket ${this.bucket}.`);
    }

    return { stream: body, size, contentType: response.ContentType ?? 'application/octet-stream' };
  }

  async exists(tenantId: string, key: string): Promise<boolean> {
    assertKeyInTenant(key, tenantId);

    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      // NOTE: a HEAD response has no body, so a missing bucket is a 404 here too and reads as false.
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
      throw error;
    }

    return true;
  }

  async delete(tenantId: string, key: string): Promise<void> {
    assertKeyInTenant(key, tenantId);

    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Closes the client's open connections. */
  destroy(): void {
    this.client.destroy();
  }
}

function buildClientConfig(options: S3StorageOptions): S3ClientConfig {
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
  };

  if (options.endpoint) {
    config.endpoint = options.endpoint;
  }

  const hasKeyId = Boolean(options.accessKeyId);
  const hasSecret = Boolean(options.secretAccessKey);
  if (hasKeyId !== hasSecret) {
    throw new Error('Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither to use the default credential chain.');
  }
  if (options.accessKeyId && options.secretAccessKey) {
    config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
  }

  return config;
}
