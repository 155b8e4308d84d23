import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';

import { APP_CONFIG, AppConfig } from '../../config/src';
import { EmailOutbox } from './email-outbox';
import { DOCUMENT_QUEUE, DOMAIN_VERIFICATION_QUEUE, EMAIL_QUEUE, USER_IMPORT_QUEUE, WEBHOOK_QUEUE } from './queues';
import { WebhookOutbox } from './webhook-outbox';

/** Turns REDIS_URL into ioredis options for BullMQ. */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const database = parsed.pathname.replace('/', '');
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: database ? Number(database) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    connectionName: 'bullmq',
  };
}

/** Registers BullMQ on the configured Redis, with the email, document, user import, webhook and domain verification queues and both outboxes. */
@Module({})
export class QueueModule {
  static register(): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          // Options rather than a client, so BullMQ opens and also closes its own
          // connections. Workers block on Redis, which needs no retry limit.
          useFactory: (config: AppConfig) => ({ connection: redisOptions(config.REDIS_URL) }),
        }),
        BullModule.registerQueue({
          name: EMAIL_QUEUE,
          defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 1000 },
        }),
        BullModule.registerQueue({
          name: DOCUMENT_QUEUE,
          // A failed render stays in Redis, so the apps can report it and queue it again after a cooldown.
          defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 1000 },
        }),
        BullModule.registerQueue({
          name: USER_IMPORT_QUEUE,
          defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 1000 },
        }),
        // Attempts and backoff come from configuration with each job (webhookJob).
        BullModule.registerQueue({ name: WEBHOOK_QUEUE }),
        // A failed lookup is recorded on the domain, not retried; staff or the next check try again.
        BullModule.registerQueue({ name: DOMAIN_VERIFICATION_QUEUE, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000 } }),
      ],
      providers: [EmailOutbox, WebhookOutbox],
      exports: [BullModule, EmailOutbox, WebhookOutbox],
    };
  }
}
