import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { loadConfig, printableConfig } from '../../../libs/config/src';
import { ConsoleModule } from './console.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(ConsoleModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.CONSOLE_PORT, config.LISTEN_HOST);
  app.get(Logger).log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
