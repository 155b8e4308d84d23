import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { loadConfig, printableConfig } from '../../../libs/config/src';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // The HTTP listener serves only the health endpoint.
  await app.listen(config.WORKER_PORT, config.LISTEN_HOST);
  app.get(Logger).log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
