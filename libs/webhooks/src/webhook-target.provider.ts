import type { Provider } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/src';
import { WebhookTargetResolver } from './webhook-target';

/** Provides the resolver with DNS_SERVERS and WEBHOOK_ALLOW_PRIVATE_TARGETS from configuration. */
export const webhookTargetResolverProvider: Provider = {
  provide: WebhookTargetResolver,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new WebhookTargetResolver(config.DNS_SERVERS, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS }),
};
