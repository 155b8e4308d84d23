import { MikroORM } from '@mikro-orm/postgresql';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/src';
import { RequestScope } from '../../tenancy/src/request-scope';
import { ENTITIES } from './entities';
import './pg-types';
import { TenantDatabase } from './tenant-database';

/** Opens the ORM as portal_app, the login role that owns nothing. */
export function createOrm(config: AppConfig): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: config.APP_DATABASE_URL,
    entities: ENTITIES,
    pool: { min: 0, max: config.DATABASE_POOL_SIZE },
    // Queries run inside explicit transactions on forked entity managers only.
    allowGlobalContext: false,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  });
}

@Global()
@Module({
  providers: [
    { provide: MikroORM, inject: [APP_CONFIG], useFactory: createOrm },
    RequestScope,
    TenantDatabase,
  ],
  exports: [MikroORM, RequestScope, TenantDatabase],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
  }
}
