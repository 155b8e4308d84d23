import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ClsModule } from 'nestjs-cls';

import { ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/db/src/database.module';
import { HealthController, READINESS_CHECKS, ReadinessCheck } from '../../../libs/observability/src/health.controller';
import { LoggingModule } from '../../../libs/observability/src/logging.module';
import { QueueModule } from '../../../libs/queue/src/queue.module';
import { RedisModule } from '../../../libs/redis/src/redis.module';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { DocumentProcessor } from './documents/document.processor';
import { DocumentRenderService } from './documents/document-render.service';
import { DomainVerificationProcessor } from './domains/domain-verification.processor';
import { DomainVerifier } from './domains/domain-verifier.service';
import { EmailProcessor } from './email/email.processor';
import { EmailSender } from './email/email-sender.service';
import { EmailSweeper } from './email/email-sweeper.service';
import { PdfRenderer } from './pdf/pdf-renderer.service';
import { UserImportProcessor } from './user-import/user-import.processor';
import { UserImportRunner } from './user-import/user-import-runner.service';
import { QueueMetrics } from './queue-metrics.service';
import { webhookTargetResolverProvider } from '../../../libs/webhooks/src/webhook-target.provider';
import { WebhookProcessor } from './webhooks/webhook.processor';
import { WebhookSender } from './webhooks/webhook-sender.service';
import { WebhookSlots } from './webhooks/webhook-slots';
import { WebhookSweeper } from './webhooks/webhook-sweeper.service';

/** BullMQ processors, plus health endpoints on WORKER_PORT. */
@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('worker'),
    ClsModule.forRoot({ global: true }),
    RedisModule,
    DatabaseModule,
    QueueModule.register(),
    StorageModule,
    DiscoveryModule,
    TerminusModule.forRoot({ logger: false }),
  ],
  controllers: [HealthController],
  providers: [
    EmailSender,
    EmailProcessor,
    EmailSweeper,
    UserImportRunner,
    UserImportProcessor,
    PdfRenderer,
    DocumentRenderService,
    DocumentProcessor,
    QueueMetrics,
    {
      provide: READINESS_CHECKS,
      inject: [PdfRenderer],
      useFactory: (renderer: PdfRenderer): ReadinessCheck[] => [{ name: 'browser', check: () => renderer.checkBrowser() }],
    },
    webhookTargetResolverProvider,
    WebhookSlots,
    WebhookSender,
    WebhookProcessor,
    WebhookSweeper,
    DomainVerifier,
    DomainVerificationProcessor,
  ],
})
export class WorkerModule {}
