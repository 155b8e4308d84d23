import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadConfig, SENSITIVE_VARIABLES } from '../../libs/config/src';
import { CHART_DIR, leafPaths, readTemplates, readValues, readValuesSchema, REPOSITORY_ROOT } from './support/chart';
import { findValuesReferences, valuesPathExists } from './support/values-references';

const templates = readTemplates();
const values = readValues();
const references = findValuesReferences(templates);

describe('values references scanner', () => {
  const sample = new Map([
    [
      'sample.yaml',
      [
        '{{- $web := .Values.web }}',
        'a: {{ .Values.missing.key }}',
        'b: {{ $web.absent }}',
        '{{- with .Values.web }}',
        'c: {{ .unknown }}',
        '{{- end }}',
        '{{- range $name := list "web" "jobs" }}',
        'd: {{ (index $.Values $name).size }}',
        '{{- end }}',
      ].join('\n'),
    ],
  ]);
  const sampleValues = { web: { size: 1 }, jobs: {} };
  const missing = findValuesReferences(sample)
    .filter((reference) => !valuesPathExists(sampleValues, reference.path))
    .map((reference) => `${reference.line}:${reference.path.join('.')}`);

  it('reports a missing absolute path', () => {
    expect(missing).toContain('2:missing.key');
  });

  it('reports a missing path through a variable', () => {
    expect(missing).toContain('3:web.absent');
  });

  it('reports a missing path inside with', () => {
    expect(missing).toContain('5:web.unknown');
  });

  it('expands index over a literal list', () => {
    expect(missing).toEqual(['2:missing.key', '3:web.absent', '5:web.unknown', '8:jobs.size']);
  });
});

describe('chart templates', () => {
  it('read every values path from values.yaml', () => {
    const missing = references
      .filter((reference) => !valuesPathExists(values, reference.path))
      .map((reference) => `${reference.file}:${reference.line} .Values.${reference.path.join('.')}`);

    expect(missing).toEqual([]);
  });

  it('are scanned through variables, with and index', () => {
    const paths = new Set(references.map((reference) => reference.path.join('.')));

    expect(paths).toContain('portal.autoscaling.minReplicas');
    expect(paths).toContain('worker.podDisruptionBudget.maxUnavailable');
    expect(paths).toContain('secrets.values.APP_DATABASE_URL');
    expect(paths).toContain('worker.tmpVolume.medium');
    expect(paths).toContain('console.probes.readinessPath');
  });

  it('use every value that values.yaml sets', () => {
    const used = references.map((reference) => reference.path.join('.'));
    const unused = leafPaths(values)
      .map((path) => path.join('.'))
      .filter((leaf) => !used.some((path) => leaf === path || leaf.startsWith(`${path}.`)));

    expect(unused).toEqual([]);
  });
});

describe('chart environment', () => {
  const configMap = templates.get('configmap.yaml') ?? '';
  const fixedInConfigMap = [...configMap.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
  const schema = readValuesSchema() as { properties: { config: { properties: Record<string, unknown> } } };
  const configurable = Object.keys(schema.properties.config.properties);
  const fromSecret = [...[...templates.values()].join('\n').matchAll(/list((?: "[A-Z][A-Z0-9_]+")+)/g)].flatMap(
    (match) => [...match[1].matchAll(/"([A-Z0-9_]+)"/g)].map((name) => name[1]),
  );
  const dockerfile = readFileSync(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8');
  const fromImage = [...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]);

  it('sets or exposes every variable the apps read', () => {
    const provided = new Set([...fixedInConfigMap, ...configurable, ...fromSecret, ...fromImage]);
    const variables = Object.keys(loadConfig({}));

    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !provided.has(name))).toEqual([]);
  });

  it('keeps sensitive variables out of the ConfigMap', () => {
    const plain = new Set([...fixedInConfigMap, ...configurable]);

    expect(SENSITIVE_VARIABLES.filter((name) => plain.has(name))).toEqual([]);
  });

  it('reads sensitive variables from the Secret', () => {
    expect(SENSITIVE_VARIABLES.filter((name) => !fromSecret.includes(name))).toEqual([]);
  });

  it('gives the apps the app role URL as DATABASE_URL', () => {
    const appEnv = /define "contractor-portal.appEnv"[\s\S]*?\{\{- end \}\}\n\n/.exec(templates.get('_helpers.tpl') ?? '')?.[0] ?? '';

    expect(appEnv).toMatch(/- name: DATABASE_URL\n\s+valueFrom:\n\s+secretKeyRef:\n\s+name: [^\n]+\n\s+key: APP_DATABASE_URL\n/);
    expect(appEnv).not.toMatch(/key: DATABASE_URL/);
  });

  it('ships a chart folder with its metadata', () => {
    expect(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')).toMatch(/^name: contractor-portal$/m);
  });
});
