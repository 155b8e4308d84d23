import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { APP_CONFIG, loadConfig } from '../../libs/config/src';
import { createDocumentStorage, DOCUMENT_STORAGE, LocalStorage, S3Storage, StorageModule } from '../../libs/storage/src';

describe('createDocumentStorage', () => {
  it('picks the local driver by default', () => {
    const storage = createDocumentStorage(loadConfig({ STORAGE_LOCAL_DIR: '/var/lib/portal/documents' }));

    expect(storage).toBeInstanceOf(LocalStorage);
    expect((storage as LocalStorage).root).toBe('/var/lib/portal/documents');
  });

  it('picks the S3 driver when configured', () => {
    // Building a client opens no connection, so this test sends no request.
    const storage = createDocumentStorage(
      loadConfig({
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'documents',
        S3_ENDPOINT: 'http://127.0.0.1:9',
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'key-id',
        S3_SECRET_ACCESS_KEY: 'secret',
      }),
    );

    expect(storage).toBeInstanceOf(S3Storage);
    (storage as S3Storage).destroy();
  });
});

describe('StorageModule', () => {
  function configModule(env: NodeJS.ProcessEnv) {
    @Global()
    @Module({ providers: [{ provide: APP_CONFIG, useValue: loadConfig(env) }], exports: [APP_CONFIG] })
    class TestConfigModule {}

    return TestConfigModule;
  }

  it('provides the local driver from APP_CONFIG', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [configModule({ STORAGE_LOCAL_DIR: '/srv/documents' }), StorageModule],
    }).compile();

    const storage = moduleRef.get<LocalStorage>(DOCUMENT_STORAGE);
    expect(storage).toBeInstanceOf(LocalStorage);
    expect(storage.root).toBe('/srv/documents');
    await moduleRef.close();
  });

  it('destroys the S3 client on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        configModule({ STORAGE_DRIVER: 's3', S3_BUCKET: 'documents', S3_ENDPOINT: 'http://127.0.0.1:9', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' }),
        StorageModule,
      ],
    }).compile();
    const storage = moduleRef.get<S3Storage>(DOCUMENT_STORAGE);
    const destroy = jest.spyOn(storage, 'destroy');

    await moduleRef.close();

    expect(storage).toBeInstanceOf(S3Storage);
    expect(destroy).toHaveBeenCalledTimes(1);
  });
});
