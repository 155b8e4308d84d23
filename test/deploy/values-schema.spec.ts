import Ajv from 'ajv';

import { readValues, readValuesSchema } from './support/chart';

// Helm validates values against values.schema.json on install, upgrade,
// lint and template. Ajv checks the same JSON Schema draft-07 document here.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(readValuesSchema());

/** Returns a copy of values.yaml with `change` applied to it. */
function changedValues(change: (values: Record<string, any>) => void): Record<string, unknown> {
  const values = structuredClone(readValues()) as Record<string, any>;
  change(values);
  return values;
}

function errorsOf(values: unknown): string[] {
  if (validate(values)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe('values schema', () => {
  it('accepts values.yaml', () => {
    expect(errorsOf(readValues())).toEqual([]);
  });

  it('accepts a production configuration', () => {
    const values = changedValues((v) => {
      v.config.PORTAL_BASE_DOMAIN = 'portal.example.com';
      v.config.CONSOLE_HOST = 'console.example.com';
      v.config.TRUSTED_PROXIES = '10.0.0.0/8';
      v.config.PDF_PAGE_POOL_SIZE = 4;
      v.config.COOKIE_SECURE = true;
      v.secrets.values.SESSION_SECRET = 'x'.repeat(48);
      v.secrets.values.REDIS_URL = 'rediss://redis.example.com:6380/0';
      v.image.digest = `sha256:${'a'.repeat(64)}`;
      v.storage.s3.bucket = 'portal-documents';
      v.portal.podDisruptionBudget.maxUnavailable = '50%';
    });

    expect(errorsOf(values)).toEqual([]);
  });

  const rejected: [string, (values: Record<string, any>) => void, string][] = [
    ['negative replicas', (v) => (v.portal.replicaCount = -1), '/portal/replicaCount must be >= 0'],
    ['replicas as text', (v) => (v.worker.replicaCount = 'two'), '/worker/replicaCount must be integer'],
    ['bad pull policy', (v) => (v.image.pullPolicy = 'Sometimes'), '/image/pullPolicy must be equal to one of the allowed values'],
    ['unknown top-level key', (v) => (v.replicas = 3), ' must NOT have additional properties'],
    ['unknown component key', (v) => (v.console.replicas = 3), '/console must NOT have additional properties'],
    ['unknown config variable', (v) => (v.config.DATABASE_URL = 'postgres://x'), '/config must NOT have additional properties'],
    ['latest image tag', (v) => (v.image.tag = 'latest'), '/image/tag must NOT be valid'],
    ['malformed digest', (v) => (v.image.digest = 'sha256:abc'), '/image/digest must match pattern "^$|^sha256:[a-f0-9]{64}$"'],
    ['unknown storage driver', (v) => (v.storage.driver = 'gcs'), '/storage/driver must be equal to one of the allowed values'],
    ['short session secret', (v) => (v.secrets.values.SESSION_SECRET = 'too-short'), '/secrets/values/SESSION_SECRET must match a schema in anyOf'],
    ['Redis URL of another scheme', (v) => (v.secrets.values.REDIS_URL = 'http://redis:6379'), '/secrets/values/REDIS_URL must match pattern "^$|^rediss?://"'],
    ['relative probe path', (v) => (v.portal.probes.readinessPath = 'health'), '/portal/probes/readinessPath must match pattern "^/"'],
    ['zero page pool', (v) => (v.config.PDF_PAGE_POOL_SIZE = 0), '/config/PDF_PAGE_POOL_SIZE must be >= 1'],
    ['CPU target above 100', (v) => (v.worker.autoscaling.targetCPUUtilizationPercentage = 150), '/worker/autoscaling/targetCPUUtilizationPercentage must be <= 100'],
    ['missing probes', (v) => delete v.worker.probes, "/worker must have required property 'probes'"],
    ['tmpfs of another medium', (v) => (v.worker.tmpVolume.medium = 'HugePages'), '/worker/tmpVolume/medium must be equal to one of the allowed values'],
    ['hostname with a scheme', (v) => (v.config.CONSOLE_HOST = 'https://console.example.com'), '/config/CONSOLE_HOST must match pattern'],
  ];

  it.each(rejected)('rejects %s', (_case, change, expected) => {
    expect(errorsOf(changedValues(change))).toContainEqual(expect.stringContaining(expected));
  });
});
