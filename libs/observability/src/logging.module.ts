import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

import { loadConfig } from '../../config/src';

/** Paths pino replaces with [Redacted]: credentials, tokens, cookies and personal data. */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'email',
  '*.email',
  'passwordHash',
  '*.passwordHash',
];

type TaggedRequest = IncomingMessage & { id?: string; tenantId?: string };

function withTenant(req: IncomingMessage, _res: ServerResponse, value: object): object {
  return { ...value, tenantId: (req as TaggedRequest).tenantId };
}

function logLevelFor(_req: IncomingMessage, res: ServerResponse, error?: Error): 'error' | 'warn' | 'info' {
  if (error || res.statusCode >= 500) return 'error';
  // A missing page (often a browser asking for /favicon.ico) is routine.
  if (res.statusCode >= 400 && res.statusCode !== 404) return 'warn';
  return 'info';
}

/** Structured pino logs with request and tenant ids as fields. */
@Module({})
export class LoggingModule {
  static forApp(app: string): DynamicModule {
    const config = loadConfig();
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            name: app,
            level: config.LOG_LEVEL,
            redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              // A request id from outside is only a hint; ours is always fresh.
              const id = randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // The tenant is known only after routing starts, so it joins the
            // completion line here; a per-request child logger would cost more.
            quietReqLogger: true,
            customSuccessObject: withTenant,
            customErrorObject: withTenant,
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url.split('?')[0],
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: logLevelFor,
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url?.startsWith('/health/') === true },
          },
        }),
      ],
    };
  }
}
