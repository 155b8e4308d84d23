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
import { formatterFor } from '../../../libs/locale/src';
import { LoggingModule } from '../../../libs/observability/src/logging.module';
import { DashboardService } from '../../../libs/records/src/dashboard.service';
import { RecordsService } from '../../../libs/records/src/records.service';
import { REDIS, RedisModule } from '../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../libs/tenancy/src/request-scope';
import { PortalPrincipal } from '../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../libs/tenancy/src/tenant-resolver.service';
import { QueueModule } from '../../../libs/queue/src/queue.module';
import { AuthController } from './auth/auth.controller';
import { PasswordController } from './auth/password.controller';
import { DocumentsController } from './pages/documents.controller';
import { AttachmentListInterceptor } from './attachments/attachment-list.interceptor';
import { RecordAttachmentsController } from './attachments/record-attachments.controller';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { PortalLocalStrategy, PortalSessionSerializer } from './auth/local.strategy';
import { PortalAuthGuard } from './auth/portal-auth.guard';
import { LoginService } from './auth/login.service';
import { SetPasswordService } from '../../../libs/access/src/set-password.service';
import { csrfProtection, csrfToken } from '../../../libs/web/src/csrf.middleware';
import { ErrorPageFilter } from '../../../libs/web/src/error-page.filter';
import { RenderViewInterceptor } from '../../../libs/web/src/render-view.interceptor';
import { bindSessionToTenant, sessionMiddleware } from '../../../libs/web/src/session';
import { TenantHostMiddleware } from './http/tenant-host.middleware';
import { TLS_ALLOWED_PATH, TlsAllowedController } from './tls/tls-allowed.controller';
import { BrandingController } from './pages/branding.controller';
import { DashboardController } from './pages/dashboard.controller';
import { HealthController } from '../../../libs/observability/src/health.controller';
import { NAVIGATION, RecordsController } from './pages/records.controller';
import { ProposalResponsesController } from './proposals/proposal-responses.controller';
import { ProposalResponsesService } from './proposals/proposal-responses.service';
import { ServiceRequestEvents } from '../../../libs/service-requests/src/service-request-events';
import { requestUploadParser } from './service-requests/request-upload.middleware';
import { ServiceRequestForms } from './service-requests/service-request-form.service';
import { ServiceRequestSubmissions } from './service-requests/service-request-submission.service';
import { ServiceRequestsController } from './service-requests/service-requests.controller';
import { SubmissionRateLimit } from './service-requests/submission-rate-limit';

/** Values every page template can use: tenant, branding, formatter, navigation, user. */
function viewLocals(scope: RequestScope) {
  return (req: Request & { user?: PortalPrincipal }, res: Response, next: NextFunction) => {
    const tenant = scope.tenant();
    res.locals.tenant = tenant;
    res.locals.branding = tenant.branding;
    res.locals.format = formatterFor(tenant.locale, tenant.timeZone);
    res.locals.navigation = NAVIGATION;
    if (req.user) {
      res.locals.signedIn = true;
      res.locals.profile = req.session.profile;
      res.locals.csrfToken = csrfToken(req);
      // Customer records must not stay in the browser's cache or history
      // after sign-out, where Back on a shared computer would show them.
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  };
}

@Module({
  imports: [
    ConfigModule,
    LoggingModule.forApp('portal'),
    ClsModule.forRoot({ global: true, middleware: { mount: false } }),
    RedisModule,
    DatabaseModule,
    PassportModule.register({ session: true }),
    QueueModule.register(),
    TerminusModule.forRoot({ logger: false }),
    StorageModule,
  ],
  // RecordsController's /:kind routes come last so fixed paths win.
  controllers: [
    HealthController,
    TlsAllowedController,
    BrandingController,
    AuthController,
    PasswordController,
    DashboardController,
    DocumentsController,
    // Before the generic record routes, which would take /service-requests/new as a record id.
    ServiceRequestsController,
    RecordAttachmentsController,
    ProposalResponsesController,
    RecordsController,
  ],
  providers: [
    TenantResolver,
    LoginService,
    SetPasswordService,
    PortalLocalStrategy,
    PortalSessionSerializer,
    RecordsService,
    DashboardService,
    ProposalResponsesService,
    ServiceRequestForms,
    ServiceRequestSubmissions,
    SubmissionRateLimit,
    ServiceRequestEvents,
    TenantHostMiddleware,
    { provide: APP_GUARD, useClass: PortalAuthGuard },
    { provide: APP_FILTER, useClass: ErrorPageFilter },
    { provide: APP_INTERCEPTOR, useClass: RenderViewInterceptor },
    // After RenderViewInterceptor, so it adds to a record page's data before the page is rendered.
    { provide: APP_INTERCEPTOR, useClass: AttachmentListInterceptor },
  ],
})
export class PortalModule implements NestModule {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly scope: RequestScope,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const health = ['health', 'health/live', 'health/ready'].map((path) => ({ path, method: RequestMethod.GET }));
    // Caddy calls it before a tenant is known, on any Host header.
    const tlsAsk = { path: TLS_ALLOWED_PATH, method: RequestMethod.GET };
    consumer.apply(ClsMiddleware).forRoutes('*');
    consumer
      .apply(
        TenantHostMiddleware,
        sessionMiddleware(this.config, this.redis, 'portal'),
        passport.initialize(),
        passport.session(),
        bindSessionToTenant,
        viewLocals(this.scope),
        requestUploadParser,
        csrfProtection,
      )
      .exclude(...health, tlsAsk)
      .forRoutes('*');
  }
}
