import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/src';
import type { DocumentStorage } from './document-storage';
import { LocalStorage } from './local-storage';
import { S3Storage } from './s3-storage';

/** Injection token of the DocumentStorage that STORAGE_DRIVER selects. */
export const DOCUMENT_STORAGE = Symbol('DOCUMENT_STORAGE');

/** Creates the driver that STORAGE_DRIVER names, with its settings. */
export function createDocumentStorage(config: AppConfig): DocumentStorage {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3Storage({
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  }

  return new LocalStorage(config.STORAGE_LOCAL_DIR);
}

/** Provides DOCUMENT_STORAGE. It injects APP_CONFIG, so the app must also import the global ConfigModule. */
@Module({
  providers: [{ provide: DOCUMENT_STORAGE, inject: [APP_CONFIG], useFactory: createDocumentStorage }],
  exports: [DOCUMENT_STORAGE],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof S3Storage) this.storage.destroy();
  }
}
