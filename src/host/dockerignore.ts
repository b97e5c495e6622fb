import * as path from 'node:path';

/**
 * `.dockerignore` with Docker's own rules (moby's patternmatcher, as `docker build` applies them):
 * lines are trimmed, `#` starts a comment, `!` re-includes, patterns are cleaned and relative to the context root,
 * `*` and `?` stay within one path segment, `**` spans any number of segments, `[...]` is a character class,
 * `\` escapes. The last pattern that matches a path, or one of its parent directories, decides.
 */
export interface IgnoreRule {
  readonly pattern: string;
  readonly exclusion: boolean;
  readonly regex: RegExp;
}

export class DockerIgnoreSyntaxError extends Error {
  constructor(readonly line: number, readonly pattern: string, reason: string) {
    super(`.dockerignore line ${line}: invalid pattern "${pattern}": ${reason}`);
    this.name = 'DockerIgnoreSyntaxError';
  }
}

export class DockerIgnore {
  private constructor(readonly rules: readonly IgnoreRule[]) {}

  static parse(text: string): DockerIgnore {
    const rules: IgnoreRule[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      let exclusion = false;
      if (line.startsWith('!')) {
        exclusion = true;
        line = line.slice(1).trim();
      }
      let pattern = path.posix.normalize(line);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
      if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1);
      rules.push({ pattern, exclusion, regex: compile(pattern, index + 1, raw.trim()) });
    });
    return new DockerIgnore(rules);
  }

  /** A copy with `!name` appended for files Docker always sends (the Dockerfile, .dockerignore itself). */
  alwaysIncluding(names: readonly string[]): DockerIgnore {
    const extra = names
      .filter((name) => this.ignores(name))
      .map((name) => ({ pattern: name, exclusion: true, regex: compile(name, 0, name) }));
    return new DockerIgnore([...this.rules, ...extra]);
  }

  /** Whether the context-relative, '/'-separated path is left out of the build context. */
  ignores(relativePath: string): boolean {
    const parents = path.posix.dirname(relativePath) === '.' ? [] : path.posix.dirname(relativePath).split('/');
    let matched = false;
    for (const rule of this.rules) {
      if (rule.exclusion !== matched) continue; // only a "!" rule can undo a match, only a plain rule can make one
      let match = rule.regex.test(relativePath);
      for (let i = 0; !match && i < parents.length; i++) match = rule.regex.test(parents.slice(0, i + 1).join('/'));
      if (match) matched = !rule.exclusion;
    }
    return matched;
  }

  /**
   * Whether an ignored directory must still be walked because a "!" rule may re-include something inside it.
   * Like Docker, only the literal prefix of "!" rules is considered.
   */
  mayIncludeInside(relativeDir: string): boolean {
    const dirSlash = `${relativeDir}/`;
    return this.rules.some((rule) => rule.exclusion && `${rule.pattern}/`.startsWith(dirSlash));
  }
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '{', '}', '|', '^', '$']);

function compile(pattern: string, line: number, original: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '\\') {
      if (i + 1 >= pattern.length) throw new DockerIgnoreSyntaxError(line, original, 'ends with an unescaped "\\"');
      i++;
      source += escapeChar(pattern[i]);
    } else if (ch === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) throw new DockerIgnoreSyntaxError(line, original, 'unterminated character class "["');
      // Go's class syntax ([^a-z], \-escapes) reads the same as a RegExp's, except a literal leading "]".
      source += pattern.slice(i, end + 1).replace(/^\[(\^?)\]/, '[$1\\]');
      i = end;
    } else {
      source += REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
    }
  }
  source += '$';
  try {
    return new RegExp(source);
  } catch (error) {
    throw new DockerIgnoreSyntaxError(line, original, (error as Error).message);
  }
}

/** Index of the "]" closing the class that opens at `start`, or -1. A "]" right after "[" or "[^" is literal. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  for (let first = true; i < pattern.length; i++, first = false) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && !first) return i;
  }
  return -1;
}

function escapeChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}
