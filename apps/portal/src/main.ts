import { Logger } from 'nestjs-pino';

import { loadConfig, printableConfig } from '../../../libs/config/src';
import { createPortalApp } from './portal.app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createPortalApp();
  await app.listen(config.PORTAL_PORT, config.LISTEN_HOST);
  app.get(Logger).log({ config: printableConfig(config) }, 'configuration loaded', 'Bootstrap');
  // A parent such as the demo command waits for this before it prints URLs.
  process.send?.('listening');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
