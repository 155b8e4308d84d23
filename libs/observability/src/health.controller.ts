import { Controller, Get, HttpStatus, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { Public } from '../../auth/src/public.decorator';
import { REDIS } from '../../redis/src/redis.module';
import { isDraining } from './graceful-shutdown';

/** A dependency an app needs to serve, beyond PostgreSQL and Redis, such as the worker's browser. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency works and rejects with the reason when it does not. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Time each dependency gets to respond before it counts as down. */
const CHECK_TIMEOUT_MS = 5000;

function withinTimeout(work: Promise<unknown>, name: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not respond within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Liveness and readiness for orchestrators. Liveness reports only that the
 * process serves HTTP, so a database outage does not restart every pod.
 * Readiness checks PostgreSQL, Redis and the app's own checks, and returns
 * 503 with each dependency's state while one is down. /health is kept as
 * another name for readiness.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly orm: MikroORM,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
    @Optional() @Inject(READINESS_CHECKS) private readonly extraChecks: ReadinessCheck[] = [],
  ) {
    this.logger.setContext(HealthController.name);
  }

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  readiness(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult | { status: string }> {
    return this.ready(res);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult | { status: string }> {
    if (isDraining()) {
      // A load balancer stops sending new requests while the process finishes the ones it has.
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'shutting_down' };
    }
    const checks: ReadinessCheck[] = [
      { name: 'database', check: () => this.orm.em.fork().execute('SELECT 1').then(() => undefined) },
      { name: 'redis', check: () => this.redis.ping().then(() => undefined) },
      ...this.extraChecks,
    ];
    try {
      return await this.health.check(checks.map((check) => () => this.indicate(check)));
    } catch (error) {
      // Returned here as JSON, because the apps' error filter would turn a 503 into an error page.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private async indicate(check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(check.name);
    try {
      await withinTimeout(check.check(), check.name);
      return indicator.up();
    } catch (error) {
      // The reason may name hosts and ports, and readiness is reachable on any Host header, so it goes to the log only.
      this.logger.warn({ err: error, check: check.name }, 'readiness check failed');
      return indicator.down({ message: `${check.name} is not available` });
    }
  }
}
