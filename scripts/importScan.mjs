/**
 * Finds the module specifiers a TypeScript file imports, without a parser: comments are dropped
 * and string literals masked first, so code quoted inside strings, template literals or comments
 * (test fixtures, `@example` blocks) is never mistaken for an import.
 */

const REGEX_PRECEDERS = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /\b(?:return|typeof|case|do|else|in|of|void|yield|await|delete|instanceof|new)$/;

/**
 * The source with comments blanked and every '...' or "..." literal replaced by `'<n>'`, where
 * `strings[n]` is its content; template literals are blanked whole.
 *
 * @example
 * maskSource(`import a from './a.js'; // b`) // { code: "import a from '0';     ", strings: ['./a.js'] }
 */
export function maskSource(src) {
  const strings = [];
  let code = '';
  let i = 0;
  let lastSignificant = '';
  const blank = (text) => text.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const ch = src[i];
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      code += blank(src.slice(i, stop));
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      code += blank(src.slice(i, stop));
      i = stop;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      while (j < src.length && src[j] !== ch && src[j] !== '\n') {
        if (src[j] === '\\') {
          value += src[j + 1] ?? '';
          j += 2;
        } else {
          value += src[j];
          j += 1;
        }
      }
      code += `'${strings.length}'`;
      strings.push(value);
      i = j + 1;
      lastSignificant = "'";
    } else if (ch === '`') {
      const stop = templateEnd(src, i);
      code += blank(src.slice(i, stop));
      i = stop;
      lastSignificant = '`';
    } else if (ch === '/' && startsRegex(lastSignificant, code)) {
      const stop = regexEnd(src, i);
      code += blank(src.slice(i, stop));
      i = stop;
      lastSignificant = '/';
    } else {
      code += ch;
      if (!/\s/.test(ch)) lastSignificant = ch;
      i += 1;
    }
  }
  return { code, strings };
}

function startsRegex(lastSignificant, code) {
  if (lastSignificant === '' || REGEX_PRECEDERS.has(lastSignificant)) return true;
  return REGEX_KEYWORDS.test(code.trimEnd());
}

/** Index just past the template literal starting at `start`, skipping `${...}` parts. */
function templateEnd(src, start) {
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') i += 2;
    else if (ch === '`') return i + 1;
    else if (ch === '$' && src[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < src.length && depth > 0) {
        if (src[i] === '`') i = templateEnd(src, i);
        else {
          if (src[i] === '{') depth += 1;
          else if (src[i] === '}') depth -= 1;
          i += 1;
        }
      }
    } else i += 1;
  }
  return src.length;
}

function regexEnd(src, start) {
  let i = start + 1;
  let inClass = false;
  while (i < src.length && src[i] !== '\n') {
    const ch = src[i];
    if (ch === '\\') i += 1;
    else if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) {
      i += 1;
      while (i < src.length && /[a-z]/i.test(src[i])) i += 1;
      return i;
    }
    i += 1;
  }
  return i;
}

const IMPORT_PATTERNS = [
  // import x from '...', import type { X } from '...', export * from '...', export { a } from '...'
  /\b(?:import|export)\b[^;'"`]*?\bfrom\s*'(\d+)'/g,
  // import '...'
  /\bimport\s*'(\d+)'/g,
  // import('...'), require('...')
  /\b(?:import|require)\s*\(\s*'(\d+)'\s*[,)]/g,
];

/**
 * Every module specifier `src` imports or re-exports, type-only ones included, each with its line.
 *
 * @example
 * importSpecifiers("import type { A } from './a.js';\nconst b = await import('b');")
 * // [{ specifier: './a.js', line: 1 }, { specifier: 'b', line: 2 }]
 */
export function importSpecifiers(src) {
  const { code, strings } = maskSource(src);
  const found = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const index = match.index + match[0].lastIndexOf(`'${match[1]}'`);
      found.push({ specifier: strings[Number(match[1])], line: lineOf(code, index), index });
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ specifier, line }) => ({ specifier, line }));
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (text[i] === '\n') line += 1;
  return line;
}
