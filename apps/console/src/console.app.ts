import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';

import { loadConfig } from '../../../libs/config/src';
import { securityHeaders } from '../../../libs/web/src/security-headers.middleware';
import { createViewEngine } from '../../../libs/web/src/view-engine';
import { ConsoleModule } from './console.module';

const VIEWS_DIR = join(__dirname, 'views');
const PUBLIC_DIR = join(__dirname, 'public');

/** Builds the staff console without listening, so tests can start it on any port. */
export async function createConsoleApp(): Promise<NestExpressApplication> {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  app.set('trust proxy', config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false);
  app.disable('x-powered-by');
  app.use(securityHeaders(config.COOKIE_SECURE));
  app.useBodyParser('urlencoded', { extended: false, limit: '32kb', parameterLimit: 50 });
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/assets/', maxAge: '1h', index: false });
  app.engine('hbs', createViewEngine(VIEWS_DIR));
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  return app;
}
