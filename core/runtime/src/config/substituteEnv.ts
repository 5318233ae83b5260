/**
 * `${NAME}` and `${NAME:-default}` in the values of the config file, replaced after YAML parsing,
 * inside the string scalars that hold them. `$${` stands for a literal `${`. Substituting after
 * parsing means a value is never read as YAML: a token like `&x9!` or `abc #def` stays exactly
 * that string, and comments (whole-line or trailing) may mention variables that are not set.
 *
 * An unquoted value that is nothing but one reference takes the type its text has, as if written
 * there: `port: ${PORT:-3000}` is a number, `${DEBUG:-false}` a boolean and an empty value is
 * empty. Quote it (`"${TOKEN}"`) to keep a string of digits a string.
 */
import { type Document, type LineCounter, Scalar, visit } from 'yaml';
import { configProblemsError } from './problems.js';

const TOKEN = /\$\$\{|\$\{([^}\n]*)\}?/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;

/**
 * Substitutes in every value scalar of `doc` (not in keys).
 *
 * @param path the config file, for error messages
 * @throws PlugboardError `configInvalid` listing every unset variable (with its line) and every
 *   malformed `${...}`
 *
 * @example
 * const lineCounter = new LineCounter();
 * const doc = parseDocument('port: ${PORT:-3000}', { lineCounter });
 * substituteEnv(doc, lineCounter, 'config/plugboard.yaml', {});
 * doc.toJS(); // { port: 3000 }
 */
export function substituteEnv(doc: Document, lineCounter: LineCounter, path: string, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const line = lineCounter.linePos(node.range?.[0] ?? 0).line;
      const text = node.value;
      const value = substitute(text, env, (problem) => problems.push(`line ${line}: ${problem}`));
      node.value = node.type === Scalar.PLAIN && WHOLE_REFERENCE.test(text) ? typed(value) : value;
    },
  });
  if (problems.length > 0) throw configProblemsError(path, problems);
}

function substitute(text: string, env: NodeJS.ProcessEnv, problem: (message: string) => void): string {
  return text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === '$${') return '${';
    const match = token.endsWith('}') ? VARIABLE.exec(body ?? '') : null;
    if (match === null) {
      problem(`'${token}' is not a variable reference; write \${NAME} or \${NAME:-default}, or $\${ for a literal '\${'`);
      return token;
    }
    const [, name, fallback] = match as unknown as [string, string, string | undefined];
    const value = env[name];
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      problem(`environment variable '${name}' is not set; set it, or give a default with \${${name}:-value}`);
      return token;
    }
    return value;
  });
}

/** The value an unquoted scalar with this text would have had: number, boolean, empty or string. */
function typed(value: string): unknown {
  if (value === '') return null;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}
