#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the lock
// file, then runs the given command with the project's binaries on PATH.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, lstatSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const modules = join(root, 'node_modules');
// A node_modules that is a symbolic link is shared with another checkout.
// npm ci would empty the folder it points to, so it is left alone.
const shared = existsSync(modules) && lstatSync(modules).isSymbolicLink();
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;

if (shared && stale) {
  console.log('node_modules is a symbolic link to a shared install; not reinstalling it.');
} else if (stale) {
  console.log('Installing dependencies (npm ci)...');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
});
// Pass stop signals on, so `timeout` or a process manager stops the whole tree.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`Could not run ${command}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
