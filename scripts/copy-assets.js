#!/usr/bin/env node
// Copies templates and static files next to the compiled apps, which tsc
// does not do, so dist/ runs without the sources.
const { cpSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const folder of ['apps/portal/src/views', 'apps/portal/src/public', 'apps/console/src/views', 'apps/console/src/public', 'apps/worker/src/email/templates', 'apps/worker/src/documents/templates']) {
  const source = join(root, folder);
  if (existsSync(source)) cpSync(source, join(root, 'dist', folder), { recursive: true });
}
