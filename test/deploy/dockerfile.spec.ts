import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

import { REPOSITORY_ROOT } from './support/chart';
import { checkDockerfile } from './support/dockerfile-rules';
import { isExcludedFromContext } from './support/docker-ignore';

const dockerfile = readFileSync(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8');

/** Lines of the final build stage, from its FROM on. */
function finalStageText(text: string): string {
  const from = DockerfileParser.parse(text).getFROMs().at(-1);
  return text.split('\n').slice(from?.getRange().start.line ?? 0).join('\n');
}

describe('Dockerfile', () => {
  it('has no syntax problems', () => {
    const problems = validate(dockerfile).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);

    expect(problems).toEqual([]);
  });

  it('follows the image rules', () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
  });

  it('builds the final stage without dev dependencies', () => {
    const finalStage = finalStageText(dockerfile);

    expect(finalStage).not.toMatch(/npm (ci|install)/);
    expect(finalStage).toMatch(/COPY --from=production-dependencies [^\n]*\/app\/node_modules/);
    expect(finalStage).not.toMatch(/COPY --from=build [^\n]*node_modules/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('installs no build tools in the final stage', () => {
    expect(finalStageText(dockerfile)).not.toMatch(/\b(build-essential|python3|g\+\+|gcc|make)\b/);
  });

  it('ships Chromium, its fonts and tini', () => {
    const finalStage = finalStageText(dockerfile);

    for (const pkg of ['chromium', 'fonts-dejavu-core', 'tini']) expect(finalStage).toMatch(new RegExp(`^\\s+${pkg} \\\\$`, 'm'));
    expect(finalStage).toMatch(/CHROMIUM_PATH=\/usr\/bin\/chromium/);
    expect(finalStage).toMatch(/PUPPETEER_SKIP_DOWNLOAD=1/);
  });
});

describe('Dockerfile rules', () => {
  const good = [
    'ARG BASE=node:24.22.3-bookworm-slim',
    'FROM ${BASE} AS build',
    'RUN npm ci',
    'FROM ${BASE}',
    'RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*',
    'USER 10001',
    '# The platform probes each role itself.',
    'HEALTHCHECK NONE',
    'ENTRYPOINT ["/usr/bin/tini", "--"]',
    'CMD ["node", "main.js"]',
  ].join('\n');

  const rulesBroken = (from: string, to: string): string[] =>
    checkDockerfile(good.replace(from, to)).map((violation) => violation.rule);

  it('accept a compliant Dockerfile', () => {
    expect(checkDockerfile(good)).toEqual([]);
  });

  it.each([
    ['an unpinned base image', 'node:24.22.3-bookworm-slim', 'node', 'pinned-base-image'],
    ['a tag without a version', 'node:24.22.3-bookworm-slim', 'node:lts-slim', 'pinned-base-image'],
    ['the latest tag', 'node:24.22.3-bookworm-slim', 'node:latest', 'no-latest'],
    ['npm at latest', 'RUN npm ci', 'RUN npm install typescript@latest', 'no-latest'],
    ['recommended packages', '--no-install-recommends ', '', 'apt-no-install-recommends'],
    ['kept apt lists', ' && rm -rf /var/lib/apt/lists/*', '', 'apt-lists-cleaned'],
    ['a lone apt-get update', 'RUN npm ci', 'RUN apt-get update && rm -rf /var/lib/apt/lists/*', 'apt-update-with-install'],
    ['a root user', 'USER 10001', 'USER root', 'non-root-user'],
    ['no user', 'USER 10001\n', '', 'non-root-user'],
    ['no healthcheck', 'HEALTHCHECK NONE\n', '', 'healthcheck'],
    ['an unexplained HEALTHCHECK NONE', '# The platform probes each role itself.\n', '', 'healthcheck'],
    ['a shell-form CMD', 'CMD ["node", "main.js"]', 'CMD node main.js', 'exec-form'],
    ['no init process', 'ENTRYPOINT ["/usr/bin/tini", "--"]', 'ENTRYPOINT ["node"]', 'init-process'],
    ['an init never installed', ' tini && rm', ' curl && rm', 'init-process'],
  ])('reject %s', (_case, from, to, rule) => {
    expect(rulesBroken(from, to)).toContain(rule);
  });

  it('syntax check rejects an unknown instruction', () => {
    expect(validate('FROM node:24.22.3-bookworm-slim\nRUNN echo\n').length).toBeGreaterThan(0);
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(join(REPOSITORY_ROOT, '.dockerignore'), 'utf8');
  const tracked = execFileSync('git', ['ls-files'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const buildInputs = tracked.filter(
    (file) =>
      ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-assets.js', 'scripts/docker-entrypoint.sh'].includes(file) ||
      (/^(apps|libs)\//.test(file) && !/\.(spec|e2e-spec)\.ts$/.test(file)),
  );

  it('keeps every build input in the context', () => {
    expect(buildInputs.length).toBeGreaterThan(100);
    expect(buildInputs.filter((file) => isExcludedFromContext(patterns, file))).toEqual([]);
  });

  it.each(['.env', '.git/config', 'node_modules/pg/package.json', '.data/storage/a.pdf', 'test/global-setup.ts', 'dist/apps/portal/src/main.js', 'apps/portal/src/x.spec.ts', 'tenants/brightline-fire/tenant.yaml'])(
    'leaves %s out of the context',
    (file) => {
      expect(isExcludedFromContext(patterns, file)).toBe(true);
    },
  );
});
