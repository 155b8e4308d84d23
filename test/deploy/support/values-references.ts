/**
 * Finds the `.Values` paths that Helm templates read, without Helm. The
 * templates are scanned with regular expressions, action by action, which
 * covers these forms:
 *
 * - `.Values.a.b` and `$.Values.a.b` anywhere in an action;
 * - `.b` inside `with .Values.a` (or `with $x.a`), resolved against the block;
 * - `$x.b` after `$x := .Values.a`;
 * - `(index $.Values $name).b` where `$name` ranges over `list "a" "b"`.
 *
 * NOTE: inside `range` the dot is an element, and inside `define` it is
 * whatever the caller passed, so relative paths there are not checked.
 * Paths built at run time (`index` with a computed key, `get`, `tpl`) are not
 * seen either.
 */

export interface ValuesReference {
  file: string;
  line: number;
  /** Keys below `.Values`, such as ['portal', 'replicaCount']. */
  path: string[];
}

interface Block {
  kind: string;
  /** Values paths the dot stands for, or undefined when the dot is not (only) a values path. */
  dot?: string[][];
  /** Dot of the enclosing block, which `else` of a `with` returns to. */
  outerDot?: string[][];
}

interface ScanState {
  file: string;
  blocks: Block[];
  variables: Map<string, string[][]>;
  loopLiterals: Map<string, string[]>;
  found: ValuesReference[];
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const BUILT_IN_OBJECTS = new Set(['Values', 'Release', 'Chart', 'Template', 'Capabilities', 'Files', 'Subcharts']);

/** Returns every values path that the given templates (file name to text) read. */
export function findValuesReferences(templates: Map<string, string>): ValuesReference[] {
  const found: ValuesReference[] = [];
  for (const [file, text] of templates) {
    const state: ScanState = { file, blocks: [], variables: new Map(), loopLiterals: new Map(), found };
    for (const match of text.matchAll(ACTION)) {
      const line = text.slice(0, match.index).split('\n').length;
      scanAction(state, match[1], line);
    }
  }
  return found;
}

/** Returns whether the keys of `path` exist, one below the other, in `values`. */
export function valuesPathExists(values: unknown, path: string[]): boolean {
  let node = values;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

function scanAction(state: ScanState, rawAction: string, line: number): void {
  if (rawAction.startsWith('/*')) return;
  const action = rawAction.replace(/`[^`]*`/g, '""');
  const keyword = action.split(/\s+/, 1)[0];
  const expression = withoutStrings(action);
  const currentDot = state.blocks.at(-1)?.dot;

  if (keyword === 'end') {
    state.blocks.pop();
    return;
  }
  if (keyword === 'else') {
    const block = state.blocks.at(-1);
    if (block?.kind === 'with') block.dot = block.outerDot;
    record(state, expression, currentDot, line);
    return;
  }

  record(state, expression, currentDot, line);
  switch (keyword) {
    case 'with': {
      const subject = expression.slice('with'.length).trim();
      state.blocks.push({ kind: 'with', dot: resolveSubject(state, subject, currentDot), outerDot: currentDot });
      return;
    }
    case 'range':
      rememberLoopLiterals(state, action);
      state.blocks.push({ kind: 'range' });
      return;
    case 'if':
      state.blocks.push({ kind: 'if', dot: currentDot });
      return;
    case 'define':
    case 'block':
      state.blocks.push({ kind: keyword });
      return;
    default:
      rememberVariable(state, expression, currentDot);
  }
}

/** Records every values path in one action's expression. */
function record(state: ScanState, expression: string, dot: string[][] | undefined, line: number): void {
  const add = (path: string[]): void => {
    state.found.push({ file: state.file, line, path });
  };

  for (const match of expression.matchAll(new RegExp(`(?<![\\w)\\]])\\$?\\.Values((?:\\.${NAME})+)`, 'g'))) {
    add(keys(match[1]));
  }
  for (const path of indexedPaths(state, expression)) add(path);
  for (const match of expression.matchAll(new RegExp(`\\$(${NAME})((?:\\.${NAME})+)`, 'g'))) {
    for (const base of state.variables.get(match[1]) ?? []) add([...base, ...keys(match[2])]);
  }
  if (dot) {
    for (const match of expression.matchAll(new RegExp(`(?<![\\w)\\]$.])\\.(${NAME})((?:\\.${NAME})*)`, 'g'))) {
      if (BUILT_IN_OBJECTS.has(match[1])) continue;
      for (const base of dot) add([...base, match[1], ...keys(match[2])]);
    }
  }
}

/** Expands `(index $.Values $name).a.b` for every literal that `$name` ranges over. */
function indexedPaths(state: ScanState, expression: string): string[][] {
  const paths: string[][] = [];
  const pattern = new RegExp(`\\(index \\$\\.Values \\$(${NAME})\\)((?:\\.${NAME})*)`, 'g');
  for (const match of expression.matchAll(pattern)) {
    for (const literal of state.loopLiterals.get(match[1]) ?? []) paths.push([literal, ...keys(match[2])]);
  }
  return paths;
}

/** Returns the values paths a `with` subject or an assignment stands for, if it is a plain path. */
function resolveSubject(state: ScanState, subject: string, dot: string[][] | undefined): string[][] | undefined {
  const absolute = new RegExp(`^\\$?\\.Values((?:\\.${NAME})+)$`).exec(subject);
  if (absolute) return [keys(absolute[1])];

  const variable = new RegExp(`^\\$(${NAME})((?:\\.${NAME})*)$`).exec(subject);
  if (variable) return state.variables.get(variable[1])?.map((base) => [...base, ...keys(variable[2])]);

  const indexed = new RegExp(`^\\(index \\$\\.Values \\$(${NAME})\\)((?:\\.${NAME})*)$`).exec(subject);
  if (indexed) return state.loopLiterals.get(indexed[1])?.map((literal) => [literal, ...keys(indexed[2])]);

  const relative = new RegExp(`^((?:\\.${NAME})+)$`).exec(subject);
  if (relative && dot) return dot.map((base) => [...base, ...keys(relative[1])]);
  return undefined;
}

function rememberVariable(state: ScanState, expression: string, dot: string[][] | undefined): void {
  const assignment = new RegExp(`^\\$(${NAME})\\s*:?=\\s*(.+)$`).exec(expression);
  if (!assignment) return;
  const paths = resolveSubject(state, assignment[2].trim(), dot);
  if (paths) state.variables.set(assignment[1], paths);
  else state.variables.delete(assignment[1]);
}

/** Stores the literals of `range $name := list "a" "b"`, for `index $.Values $name`. */
function rememberLoopLiterals(state: ScanState, action: string): void {
  const loop = new RegExp(`^range\\s+\\$(${NAME})\\s*:=\\s*list((?:\\s+"[^"]*")+)\\s*$`).exec(action);
  if (!loop) return;
  state.loopLiterals.set(
    loop[1],
    [...loop[2].matchAll(/"([^"]*)"/g)].map((literal) => literal[1]),
  );
}

function withoutStrings(action: string): string {
  return action.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

function keys(dotted: string): string[] {
  return dotted.split('.').filter((key) => key.length > 0);
}
