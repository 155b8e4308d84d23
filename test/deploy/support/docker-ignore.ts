/**
 * Decides whether a .dockerignore file keeps a path out of the build
 * context, following Docker's rules: patterns use Go's filepath.Match syntax
 * plus `**` for any number of folders, a pattern that matches a folder also
 * matches everything inside it, `!` re-includes, and the last matching
 * pattern wins.
 */
export function isExcludedFromContext(dockerignore: string, path: string): boolean {
  let excluded = false;
  for (const rawLine of dockerignore.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;

    const negated = line.startsWith('!');
    const pattern = patternToRegExp(negated ? line.slice(1) : line);
    if (pathAndParents(path).some((candidate) => pattern.test(candidate))) excluded = !negated;
  }
  return excluded;
}

function patternToRegExp(pattern: string): RegExp {
  const cleaned = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let source = '';
  for (let index = 0; index < cleaned.length; index += 1) {
    const character = cleaned[index];
    if (cleaned.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (cleaned.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (character === '*') {
      source += '[^/]*';
    } else if (character === '?') {
      source += '[^/]';
    } else {
      source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Returns `a/b/c`, `a/b` and `a` for `a/b/c`. */
function pathAndParents(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_part, index) => parts.slice(0, parts.length - index).join('/'));
}
