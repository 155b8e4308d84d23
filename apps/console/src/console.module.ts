import { Controller, Get, Header, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';

import { ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/db/src/database.module';
import { HealthController } from '../../../libs/observability/src/health.controller';
import { LoggingModule } from '../../../libs/observability/src/logging.module';
import { RedisModule } from '../../../libs/redis/src/redis.module';

@Controller()
class ConsoleHomeController {
  // NOTE: staff sign-in, users, branding and sharing are not built yet. Until
  // then the console serves health checks and this notice only.
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  home(): string {
    return 'Staff console: sign-in is not available yet. Health: /health\n';
  }
}

@Module({
  imports: [ConfigModule, LoggingModule.forApp('console'), ClsModule.forRoot({ global: true }), RedisModule, DatabaseModule],
  controllers: [HealthController, ConsoleHomeController],
})
export class ConsoleModule {}
