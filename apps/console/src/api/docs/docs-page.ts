import type { OpenApiDocument } from '../schema/openapi-document';

/** The parts of an OpenAPI schema object the page prints. */
interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  allOf?: SchemaObject[];
  default?: unknown;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; description?: string; schema?: SchemaObject; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, { description: string }>;
}

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Follows a $ref into components.schemas, and merges the allOf that zod-to-openapi writes for extended schemas. */
function resolve(document: OpenApiDocument, schema: SchemaObject): SchemaObject {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document, (document.components?.schemas?.[name] ?? {}) as SchemaObject);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolve(document, part));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
      required: parts.flatMap((part) => part.required ?? []),
    };
  }
  return schema;
}

function typeText(document: OpenApiDocument, raw: SchemaObject): string {
  const schema = resolve(document, raw);
  let text = schema.type === 'array' ? `array of ${typeText(document, schema.items ?? {})}` : (schema.type ?? 'any');
  if (schema.format) text += ` (${schema.format})`;
  if (schema.nullable) text += ', nullable';
  return text;
}

function rulesText(schema: SchemaObject): string {
  const rules: string[] = [];
  if (schema.enum) rules.push(`one of ${schema.enum.join(', ')}`);
  if (schema.minLength !== undefined) rules.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) rules.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined) rules.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) rules.push(`maximum ${schema.maximum}`);
  if (schema.default !== undefined) rules.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.description) rules.push(schema.description);
  return rules.join('; ');
}

/** Builds one table row per field. Fields of nested objects and of arrays of objects follow with their full path. */
function fieldRows(document: OpenApiDocument, raw: SchemaObject, prefix = ''): string[] {
  const schema = resolve(document, raw);
  const rows: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const resolved = resolve(document, property);
    const required = schema.required?.includes(name) ? 'yes' : 'no';
    const cells = [
      `<code>${escapeHtml(path)}</code>`,
      escapeHtml(typeText(document, property)),
      required,
      escapeHtml(rulesText(resolved)),
    ];
    rows.push(`<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
    const items = resolved.type === 'array' && resolved.items ? resolve(document, resolved.items) : null;
    if (items?.properties) rows.push(...fieldRows(document, items, `${path}[].`));
    if (resolved.properties) rows.push(...fieldRows(document, resolved, `${path}.`));
  }
  return rows;
}

function fieldTable(document: OpenApiDocument, schema: SchemaObject): string {
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>rules</th></tr></thead>
<tbody>${fieldRows(document, schema).join('\n')}</tbody></table>`;
}

function operationSection(document: OpenApiDocument, method: string, path: string, operation: Operation): string {
  const parameters = (operation.parameters ?? [])
    .map((parameter) => {
      // zod-to-openapi writes a parameter's description into its schema.
      const description = escapeHtml(parameter.description ?? parameter.schema?.description ?? '');
      return `<li><code>${escapeHtml(parameter.name)}</code> (${escapeHtml(parameter.in)}): ${description}</li>`;
    })
    .join('');
  const body = operation.requestBody?.content['application/json']?.schema;
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => `<li><strong>${escapeHtml(status)}</strong>: ${escapeHtml(response.description)}</li>`)
    .join('');
  return `<section class="operation" id="${anchorOf(method, path)}">
<h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h3>
<p>${escapeHtml(operation.summary ?? '')}</p>
${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
${parameters ? `<h4>Parameters</h4><ul>${parameters}</ul>` : ''}
${body ? `<h4>Request body</h4>${fieldTable(document, body)}` : ''}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

function anchorOf(method: string, path: string): string {
  return `${method}${path.replace(/[^a-z0-9]+/gi, '-')}`.replace(/-+$/, '');
}

/** Renders the OpenAPI document as one HTML page: no scripts, no inline styles, only the console stylesheet. */
export function renderDocsPage(document: OpenApiDocument): string {
  const sections: string[] = [];
  const contents: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'put', 'delete'] as const) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      sections.push(operationSection(document, method, path, operation));
      contents.push(`<li><a href="#${anchorOf(method, path)}"><code>${method.toUpperCase()} ${escapeHtml(path)}</code></a></li>`);
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<link rel="stylesheet" href="/assets/console.css"></head>
<body><main class="api-docs">
<h1>${escapeHtml(document.info.title)}, version ${escapeHtml(document.info.version)}</h1>
<p>${escapeHtml(document.info.description ?? '')}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.
The machine-readable document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<nav aria-label="Endpoints"><h2>Endpoints</h2><ul>${contents.join('')}</ul></nav>
${sections.join('\n')}
</main></body></html>`;
}
