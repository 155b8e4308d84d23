import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';

import { TenantFormatter } from '../../locale/src';

type Template = Handlebars.TemplateDelegate;

function listTemplates(root: string): string[] {
  return readdirSync(root).flatMap((entry) => {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) return listTemplates(path);
    return path.endsWith('.hbs') ? [path] : [];
  });
}

function formatterOf(options: Handlebars.HelperOptions): TenantFormatter {
  return (options.data as { root: { format: TenantFormatter } }).root.format;
}

/** "in_service" reads as "In service". */
export function humanize(value: unknown): string {
  const text = String(value ?? '').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Declared helpers compile to direct calls instead of run-time lookups.
const KNOWN_HELPERS = Object.fromEntries(
  ['money', 'date', 'day', 'dateTime', 'telHref', 'uriComponent', 'humanize', 'badge', 'eq', 'or', 'not', 'gt', 'quantity'].map((name) => [name, true]),
);

function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('money', (minor: unknown, currency: unknown, options: Handlebars.HelperOptions) =>
    minor === null || minor === undefined ? '' : formatterOf(options).money(String(minor), String(currency)),
  );
  handlebars.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) =>
    formatterOf(options).date(value as string | null),
  );
  handlebars.registerHelper('day', (value: unknown, options: Handlebars.HelperOptions) =>
    formatterOf(options).day(value as Date | null),
  );
  handlebars.registerHelper('uriComponent', (value: unknown) => encodeURIComponent(String(value ?? '')));
  handlebars.registerHelper('telHref', (value: unknown) => `tel:${String(value ?? '').replace(/[^\d+]/g, '')}`);
  handlebars.registerHelper('dateTime', (value: unknown, options: Handlebars.HelperOptions) =>
    formatterOf(options).dateTime(value as Date | null),
  );
  handlebars.registerHelper('humanize', humanize);
  // A helper rather than a partial: list pages render one badge per row.
  handlebars.registerHelper('badge', (value: unknown) => {
    const escaped = handlebars.escapeExpression(String(value ?? ''));
    return new handlebars.SafeString(`<span class="badge badge--${escaped}">${handlebars.escapeExpression(humanize(value))}</span>`);
  });
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  handlebars.registerHelper('not', (value: unknown) => !value);
  handlebars.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
  handlebars.registerHelper('gt', (left: unknown, right: unknown) => Number(left) > Number(right));
  handlebars.registerHelper('quantity', (value: unknown) => String(value ?? '').replace(/\.?0+$/, ''));
}

/**
 * Creates an Express view engine over precompiled Handlebars templates. Files under
 * partials/ become partials named by their path; a page renders inside
 * layouts/main unless its data sets layout to false. Values are HTML-escaped
 * by Handlebars; no template uses the triple-brace raw form for tenant or
 * record data.
 */
export function createViewEngine(root: string) {
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);
  const templates = new Map<string, Template>();

  for (const path of listTemplates(root)) {
    const name = relative(root, path).replace(/\\/g, '/').replace(/\.hbs$/, '');
    const compiled = handlebars.compile(readFileSync(path, 'utf8'), { knownHelpers: KNOWN_HELPERS });
    if (name.startsWith('partials/')) handlebars.registerPartial(name.slice('partials/'.length), compiled);
    else templates.set(name, compiled);
  }

  const render = (name: string, data: Record<string, unknown>): string => {
    const template = templates.get(name);
    if (!template) throw new Error(`View ${name} does not exist`);
    const body = template(data);
    if (data.layout === false) return body;
    const layout = templates.get('layouts/main')!;
    return layout({ ...data, body });
  };

  return (path: string, options: object, callback: (error: Error | null, html?: string) => void) => {
    try {
      const name = relative(root, path).replace(/\\/g, '/').replace(/\.hbs$/, '');
      callback(null, render(name, options as Record<string, unknown>));
    } catch (error) {
      callback(error as Error);
    }
  };
}
