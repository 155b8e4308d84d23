import { Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';

import { ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/db/src/database.module';
import { HealthController } from '../../../libs/observability/src/health.controller';
import { LoggingModule } from '../../../libs/observability/src/logging.module';
import { RedisModule } from '../../../libs/redis/src/redis.module';

// NOTE: no queue processors are registered yet. The worker boots, opens its
// PostgreSQL and Redis connections and serves health checks on WORKER_PORT.
@Module({
  imports: [ConfigModule, LoggingModule.forApp('worker'), ClsModule.forRoot({ global: true }), RedisModule, DatabaseModule],
  controllers: [HealthController],
})
export class WorkerModule {}
