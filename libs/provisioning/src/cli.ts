import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';

import '../../db/src/pg-types';
import { loadConfig } from '../../config/src';
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
  try {
    for (const folder of folders) {
      const result = await applyManifest(pool, await loadManifestFolder(folder));
      console.log(
        `${result.slug}: ${result.written} rows written, ${result.unchanged} unchanged, ${result.removed} removed`,
      );
    }
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof ManifestError || error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
