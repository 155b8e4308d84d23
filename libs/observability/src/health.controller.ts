import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type Redis from 'ioredis';

import { Public } from '../../auth/src/public.decorator';
import { REDIS } from '../../redis/src/redis.module';

/** Reports readiness: this process reaches both PostgreSQL and Redis. */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly orm: MikroORM,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('health')
  async health(): Promise<{ status: string; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    checks.database = await this.orm.em
      .fork()
      .execute('SELECT 1')
      .then(() => 'up')
      .catch(() => 'down');
    checks.redis = await this.redis
      .ping()
      .then(() => 'up')
      .catch(() => 'down');
    const status = Object.values(checks).every((value) => value === 'up') ? 'ok' : 'unavailable';
    if (status !== 'ok') throw new ServiceUnavailableException({ status, checks });
    return { status, checks };
  }
}
