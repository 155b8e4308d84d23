import { runInvoiceBench } from './invoice-bench';
import { runMailBench } from './mail-bench';
import { runPdfBench } from './pdf-bench';

/**
 * Runs the benchmarks named on the command line (`invoices`, `mail`, `pdf`), or
 * all of them when none is named: `npm run bench -- mail`.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  invoices: runInvoiceBench,
  mail: runMailBench,
  pdf: runPdfBench,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) await BENCHMARKS[name]();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
