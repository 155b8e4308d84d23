import { Logger } from 'nestjs-pino';

import { loadConfig, printableConfig } from '../../../libs/config/src';
import { createConsoleApp } from './console.app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createConsoleApp();
  await app.listen(config.CONSOLE_PORT, config.LISTEN_HOST);
  app.get(Logger).log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
