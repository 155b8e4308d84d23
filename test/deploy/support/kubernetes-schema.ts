/**
 * Validates Kubernetes objects against the OpenAPI schemas that
 * kubernetes-models 4.5.1 compiles into its model classes. Those schemas
 * check types, formats, enums and required fields.
 *
 * NOTE: like the API server, they accept unknown field names, so a
 * misspelled optional field passes here where `kubectl --validate=strict`
 * would reject it.
 */

interface KubernetesModel {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => KubernetesModel;

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  [field: string]: unknown;
}

/** Returns the problems of one object; an empty list means it is valid. */
export function validateKubernetesObject(object: KubernetesObject): string[] {
  const label = `${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
  const model = modelClass(object.apiVersion, object.kind);
  if (!model) return [`${label}: no schema for ${object.apiVersion}/${object.kind}`];

  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${label}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

function modelClass(apiVersion: string | undefined, kind: string | undefined): ModelClass | undefined {
  if (!apiVersion || !kind || !/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion)) return undefined;
  let models: Record<string, ModelClass | undefined>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    models = require(`kubernetes-models/${apiVersion}`) as Record<string, ModelClass | undefined>;
  } catch {
    return undefined;
  }
  return models[kind];
}
