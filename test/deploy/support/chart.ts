import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
export const CHART_DIR = join(REPOSITORY_ROOT, 'helm');

/** Reads every file under helm/templates, keyed by file name. */
export function readTemplates(): Map<string, string> {
  const folder = join(CHART_DIR, 'templates');
  const templates = new Map<string, string>();
  for (const name of readdirSync(folder).sort()) {
    templates.set(name, readFileSync(join(folder, name), 'utf8'));
  }
  return templates;
}

export function readValues(): Record<string, unknown> {
  return parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
}

export function readValuesSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
}

/** Lists the dotted path of every leaf of a values tree; empty maps and lists count as leaves. */
export function leafPaths(node: unknown, prefix: string[] = []): string[][] {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || Object.keys(node).length === 0) {
    return [prefix];
  }
  return Object.entries(node).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}
