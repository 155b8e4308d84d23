import { loadConfig } from '../../../config/src';
import { migrate } from '../migrator';

async function main(): Promise<void> {
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL);
  console.log(applied.length > 0 ? `Applied ${applied.join(', ')}` : 'Database is up to date');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
