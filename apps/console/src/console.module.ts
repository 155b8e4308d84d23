import { Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TerminusModule } from '@nestjs/terminus';
import type { NextFunction, Request, Response } from 'express';
import type Redis from 'ioredis';
import { ClsMiddleware, ClsModule } from 'nestjs-cls';
import passport from 'passport';

import { APP_CONFIG, AppConfig, ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/db/src/database.module';
import { HealthController } from '../../../libs/observability/src/health.controller';
import { LoggingModule } from '../../../libs/observability/src/logging.module';
import { QueueModule } from '../../../libs/queue/src/queue.module';
import { REDIS, RedisModule } from '../../../libs/redis/src/redis.module';
import { formatterFor } from '../../../libs/locale/src';
import { RequestScope } from '../../../libs/tenancy/src/request-scope';
import { TenantResolver } from '../../../libs/tenancy/src/tenant-resolver.service';
import { csrfProtection, csrfToken } from '../../../libs/web/src/csrf.middleware';
import { ErrorPageFilter } from '../../../libs/web/src/error-page.filter';
import { RenderViewInterceptor } from '../../../libs/web/src/render-view.interceptor';
import { sessionMiddleware } from '../../../libs/web/src/session';
import { ConsoleAuthController } from './auth/console-auth.controller';
import { StaffPasswordController } from './auth/staff-password.controller';
import { SetPasswordService } from '../../../libs/access/src/set-password.service';
import { ActivityController } from './activity/activity.controller';
import { ApiDocsController } from './api/docs/api-docs.controller';
import { ConsoleErrorFilter } from './api/http/api-error.filter';
import { apiJsonBody } from './api/http/api-json-body';
import { ApiKeyGuard } from './api/http/api-key.guard';
import { ApiKeyMiddleware } from './api/http/api-key.middleware';
import { ApiKeyAuthenticator } from './api/keys/api-key-authenticator';
import { ApiKeysController } from './api/keys/api-keys.controller';
import { ApiKeysService } from './api/keys/api-keys.service';
import { ApiResourcesController } from './api/resources/api-resources.controller';
import { ApiResourcesService } from './api/resources/api-resources.service';
import { AttachmentListInterceptor } from './attachments/attachment-list.interceptor';
import { attachmentUploadParser } from './attachments/attachment-upload.middleware';
import { RecordAttachmentsController } from './attachments/record-attachments.controller';
import { RecordAttachmentsService } from './attachments/record-attachments.service';
import { StaffAuthGuard } from './auth/staff-auth.guard';
import { StaffLocalStrategy, StaffSessionSerializer } from './auth/staff-local.strategy';
import { StaffLoginService } from './auth/staff-login.service';
import { BrandingController } from './branding/branding.controller';
import { BrandingSettingsService } from './branding/branding-settings.service';
import { logoUploadParser } from './branding/logo-upload.middleware';
import { ConsoleHostMiddleware, StaffContextMiddleware } from './http/console-context.middleware';
import { ConsoleDocuments } from './documents/document-queue.service';
import { RecordDocumentsController } from './documents/record-documents.controller';
import { HomeController } from './pages/home.controller';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { EmailTestController } from './pages/email-test.controller';
import { UserStatusController } from './pages/user-status.controller';
import { UsersController } from './pages/users.controller';
import { UserAccessController } from './users/user-access.controller';
import { UserImportController } from './users/user-import.controller';
import { UserImportService } from './users/user-import.service';
import { userImportUploadParser } from './users/user-import-upload.middleware';
import { RecordSharingController } from './records/record-sharing.controller';
import { RecordSharingService } from './records/record-sharing.service';
import { RecordsController } from './records/records.controller';
import { webhookTargetResolverProvider } from '../../../libs/webhooks/src/webhook-target.provider';
import { WebhookEndpointsService } from './webhooks/webhook-endpoints.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { CustomDomainsService } from './domains/custom-domains.service';
import { DomainsController } from './domains/domains.controller';
import { RECORD_NAVIGATION } from './records/staff-record-kinds';
import { StaffRecordsService } from './records/staff-records.service';
import { ServiceRequestInbox } from './service-requests/service-request-inbox.service';
import { ServiceRequestSettingsController } from './service-requests/service-request-settings.controller';
import { ServiceRequestTriage } from './service-requests/service-request-triage.service';
import { ServiceRequestsController } from './service-requests/service-requests.controller';

/** Values every console template can use: who is signed in, their role, formats and the CSRF token. */
function viewLocals(scope: RequestScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const staff = req.user as { kind?: string; role?: string } | undefined;
    if (staff?.kind !== 'staff') return next();

    const tenant = scope.tenant();
    res.locals.format = formatterFor(tenant.locale, tenant.timeZone);
    res.locals.signedIn = true;
    res.locals.role = staff.role;
    res.locals.canManageUsers = staff.role !== 'member';
    res.locals.profile = req.session.profile;
    res.locals.csrfToken = csrfToken(req);
    res.locals.recordKinds = RECORD_NAVIGATION;
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('console'),
    ClsModule.forRoot({ global: true, middleware: { mount: false } }),
    RedisModule,
    DatabaseModule,
    PassportModule.register({ session: true }),
    QueueModule.register(),
    TerminusModule.forRoot({ logger: false }),
    StorageModule,
  ],
  controllers: [
    HealthController,
    ConsoleAuthController,
    StaffPasswordController,
    HomeController,
    UsersController,
    // Before UserStatusController, whose :action route would otherwise take resend and reset.
    UserAccessController,
    UserImportController,
    UserStatusController,
    EmailTestController,
    BrandingController,
    RecordDocumentsController,
    RecordsController,
    RecordSharingController,
    RecordAttachmentsController,
    ActivityController,
    ServiceRequestsController,
    ServiceRequestSettingsController,
    WebhooksController,
    DomainsController,
    ApiKeysController,
    // Before ApiResourcesController, whose :resource route would otherwise take openapi.json and docs.
    ApiDocsController,
    ApiResourcesController,
  ],
  providers: [
    TenantResolver,
    StaffLoginService,
    BrandingSettingsService,
    SetPasswordService,
    StaffLocalStrategy,
    StaffSessionSerializer,
    ConsoleHostMiddleware,
    StaffContextMiddleware,
    StaffRecordsService,
    RecordSharingService,
    ConsoleDocuments,
    UserImportService,
    RecordAttachmentsService,
    ServiceRequestInbox,
    ServiceRequestTriage,
    webhookTargetResolverProvider,
    WebhookEndpointsService,
    CustomDomainsService,
    ApiKeysService,
    ApiKeyAuthenticator,
    ApiKeyMiddleware,
    ApiKeyGuard,
    ApiResourcesService,
    ErrorPageFilter,
    { provide: APP_GUARD, useClass: StaffAuthGuard },
    // Error pages for the console, JSON for the integration API under /api/v1.
    { provide: APP_FILTER, useClass: ConsoleErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: RenderViewInterceptor },
    // After RenderViewInterceptor, so it adds to a detail page's data before the page is rendered.
    { provide: APP_INTERCEPTOR, useClass: AttachmentListInterceptor },
  ],
})
export class ConsoleModule implements NestModule {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly scope: RequestScope,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const health = ['health', 'health/live', 'health/ready'].map((path) => ({ path, method: RequestMethod.GET }));
    const api = { path: 'api/v1/{*path}', method: RequestMethod.ALL };
    consumer.apply(ClsMiddleware).forRoutes('*');
    // The integration API authenticates by key, so it gets no session, cookies or CSRF token.
    consumer.apply(ConsoleHostMiddleware, ApiKeyMiddleware, apiJsonBody).forRoutes(api);
    consumer
      .apply(
        ConsoleHostMiddleware,
        sessionMiddleware(this.config, this.redis, 'console'),
        passport.initialize(),
        passport.session(),
        StaffContextMiddleware,
        viewLocals(this.scope),
        logoUploadParser,
        userImportUploadParser,
        attachmentUploadParser,
        csrfProtection,
      )
      .exclude(...health, api)
      .forRoutes('*');
  }
}
