import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';

import { ConsoleModule } from '../../apps/console/src/console.module';
import { WorkerModule } from '../../apps/worker/src/worker.module';

describe.each([
  ['console', ConsoleModule],
  ['worker', WorkerModule],
])('%s app', (_name, module) => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    app = await NestFactory.create(module, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(() => app.close());

  it('answers its health check', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.details.database).toEqual({ status: 'up' });
    expect(body.details.redis).toEqual({ status: 'up' });
  }, 30_000);
});
