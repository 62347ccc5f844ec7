/**
 * .dockerignore semantics, enough to tell whether a path reaches the build context: patterns are
 * matched against the path and each of its parent folders, `**` spans folders, `!` re-includes,
 * and the last matching pattern wins.
 */
function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === '*' && pattern[index + 1] === '*') {
      // `**/` matches any number of folders, including none; a trailing `**` anything.
      if (pattern[index + 2] === '/') {
        source += '(?:.*/)?';
        index += 2;
      } else {
        source += '.*';
        index += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

interface Rule {
  exclude: boolean;
  matcher: RegExp;
}

export function parseDockerignore(content: string): Rule[] {
  return content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const pattern = (exclude ? line : line.slice(1)).replace(/^\/+/, '').replace(/\/+$/, '');
      return { exclude, matcher: patternToRegExp(pattern) };
    });
}

/** True when `path` (relative to the context root, with /) is sent to the builder. */
export function isInBuildContext(rules: Rule[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.matcher.test(candidate))) {
      excluded = rule.exclude;
    }
  }
  return !excluded;
}
