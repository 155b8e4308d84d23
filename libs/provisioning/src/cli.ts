import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { Pool } from 'pg';

import '../../db/src/pg-types';
import { loadConfig } from '../../config/src';
import { publishTenantChange } from '../../tenancy/src/tenant-resolver.service';
import { applyManifest } from './apply-manifest';
import { loadManifestFolder, ManifestError } from './manifest-loader';

const USAGE = `Usage: npm run tenants -- apply <folder> [<folder> ...]
       npm run tenants -- apply --all      (every folder under tenants/)`;

/** Lists every folder under tenants/ that contains a tenant.yaml. */
export async function demoTenantFolders(root = resolve(__dirname, '../../../tenants')): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of (await readdir(root)).sort()) {
    const folder = join(root, entry);
    const manifest = await stat(join(folder, 'tenant.yaml')).catch(() => null);
    if (manifest?.isFile()) folders.push(folder);
  }
  return folders;
}

async function main(args: string[]): Promise<void> {
  const [command, ...targets] = args;
  if (command !== 'apply' || targets.length === 0) {
    console.error(USAGE);
    process.exit(2);
  }
  const folders = targets.includes('--all') ? await demoTenantFolders() : targets.map((target) => resolve(target));

  const config = loadConfig();
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    for (const folder of folders) {
      const result = await applyManifest(pool, await loadManifestFolder(folder));
      console.log(
        `${result.slug}: ${result.written} rows written, ${result.unchanged} unchanged, ${result.removed} removed`,
      );
      // Running apps cache each tenant's hosts, status and branding; a change
      // such as a suspension takes effect once they drop that entry.
      if (result.written > 0 || result.removed > 0) await notifyApps(redis, result.tenantId);
    }
  } finally {
    await pool.end();
    redis.disconnect();
  }
}

/** Publishes the tenant's change; without Redis the apps pick it up when their cache entry expires. */
async function notifyApps(redis: Redis, tenantId: string): Promise<void> {
  try {
    await publishTenantChange(redis, tenantId);
  } catch (error) {
    console.warn(`Publishing the change to running apps failed (${(error as Error).message}); they apply it within HOST_CACHE_SECONDS.`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof ManifestError || error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
