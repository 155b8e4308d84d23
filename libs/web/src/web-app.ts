import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';

import { AppConfig } from '../../config/src';
import { httpMetrics } from '../../observability/src/http-metrics.middleware';
import { securityHeaders } from './security-headers.middleware';
import { createViewEngine } from './view-engine';

/**
 * Applies the settings the portal and the console share: pino logging,
 * request metrics, proxy trust, security headers, a small form body parser,
 * static assets under /assets/ and Handlebars views.
 */
export function configureWebApp(
  app: NestExpressApplication,
  config: AppConfig,
  folders: { views: string; assets: string },
  name: 'portal' | 'console',
): NestExpressApplication {
  app.useLogger(app.get(Logger));
  app.use(httpMetrics(name));

  // X-Forwarded-* headers count only when they come from a configured proxy.
  app.set('trust proxy', config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false);
  app.disable('x-powered-by');
  app.use(securityHeaders(config.COOKIE_SECURE));
  app.useBodyParser('urlencoded', { extended: false, limit: '32kb', parameterLimit: 50 });
  app.useStaticAssets(folders.assets, { prefix: '/assets/', maxAge: '1h', index: false });
  app.engine('hbs', createViewEngine(folders.views));
  app.setBaseViewsDir(folders.views);
  app.setViewEngine('hbs');
  return app;
}
