import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';

import { formatterFor, TenantFormatter } from '../../../../libs/locale/src';
import { humanize } from '../../../../libs/web/src/view-engine';

export const TEMPLATES_DIR = join(__dirname, 'templates');

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

const HELPER_NAMES = ['money', 'date', 'dateTime', 'humanize', 'quantity', 'eq', 'gt', 'inc'] as const;

// Templates may call only these helpers, and unknown names fail at compile
// time rather than silently printing nothing.
const COMPILE_OPTIONS: CompileOptions = {
  strict: false,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(HELPER_NAMES.map((name) => [name, true])),
};

// Templates read only own properties of the plain data objects. These are
// Handlebars' defaults since 4.6, and are written out so a later change to
// them cannot open prototype access unnoticed.
const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

/** Private data that every template and partial of one rendering reads as @formatter. */
interface PrintData {
  formatter: TenantFormatter;
}

function formatterOf(options: Handlebars.HelperOptions): TenantFormatter {
  return (options.data as PrintData).formatter;
}

function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('money', (minor: unknown, currency: unknown, options: Handlebars.HelperOptions) =>
    minor === null || minor === undefined ? '' : formatterOf(options).money(String(minor), String(currency)),
  );
  handlebars.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) =>
    formatterOf(options).date(typeof value === 'string' ? value : null),
  );
  handlebars.registerHelper('dateTime', (value: unknown, options: Handlebars.HelperOptions) =>
    formatterOf(options).dateTime(typeof value === 'string' ? value : null),
  );
  handlebars.registerHelper('humanize', humanize);
  // numeric(12, 3) arrives as "2.000", so trailing zeros of the fraction are dropped.
  handlebars.registerHelper('quantity', (value: unknown) => {
    const text = String(value ?? '');
    return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  });
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('gt', (left: unknown, right: unknown) => Number(left) > Number(right));
  handlebars.registerHelper('inc', (value: unknown) => Number(value) + 1);
}

/** Creates a Handlebars environment for print templates, with the partials under templates/partials and the helpers above. */
function createPrintHandlebars(): typeof Handlebars {
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);
  const partials = join(TEMPLATES_DIR, 'partials');
  for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
    const source = readFileSync(join(partials, file), 'utf8');
    handlebars.registerPartial(basename(file, '.hbs'), handlebars.compile(source, COMPILE_OPTIONS));
  }
  return handlebars;
}

const printHandlebars = createPrintHandlebars();

export type PrintTemplate = (context: Record<string, unknown>, locale: string, timeZone: string) => string;

/**
 * Compiles one template under templates/. Record values reach the output
 * only through double-brace expressions, which escape HTML, so text such as
 * "<iframe>" or "{{7*7}}" prints as written.
 */
export function compilePrintTemplate(file: string): PrintTemplate {
  const template = printHandlebars.compile(readFileSync(join(TEMPLATES_DIR, file), 'utf8'), COMPILE_OPTIONS);
  return (context, locale, timeZone) =>
    template(context, { ...RUNTIME_OPTIONS, data: { formatter: formatterFor(locale, timeZone) } satisfies PrintData });
}
