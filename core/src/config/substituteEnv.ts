/**
 * `${NAME}` and `${NAME:-default}` in the raw text of the config file, replaced before YAML
 * parsing. `$${` stands for a literal `${`. Lines that are YAML comments are left alone, so a
 * comment may mention a variable that is not set.
 */
import { configProblemsError } from './problems.js';

const TOKEN = /\$\$\{|\$\{([^}\n]*)\}?/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * @param path the config file, for error messages
 * @throws PlugboardError `configInvalid` listing every unset variable (with its line) and every
 *   malformed `${...}`
 *
 * @example
 * substituteEnv('port: ${PORT:-3000}', 'config/plugboard.yaml', {}) // 'port: 3000'
 */
export function substituteEnv(text: string, path: string, env: NodeJS.ProcessEnv): string {
  const problems: string[] = [];
  const lines = text.split('\n').map((line, i) => {
    if (/^\s*#/.test(line)) return line;
    return line.replace(TOKEN, (token: string, body: string | undefined) => {
      if (token === '$${') return '${';
      const match = token.endsWith('}') ? VARIABLE.exec(body ?? '') : null;
      if (match === null) {
        problems.push(
          `line ${i + 1}: '${token}' is not a variable reference; write \${NAME} or \${NAME:-default}, or $\${ for a literal '\${'`,
        );
        return token;
      }
      const [, name, fallback] = match as unknown as [string, string, string | undefined];
      const value = env[name];
      if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
      if (value === undefined) {
        problems.push(`line ${i + 1}: environment variable '${name}' is not set; set it, or give a default with \${${name}:-value}`);
        return token;
      }
      return value;
    });
  });
  if (problems.length > 0) throw configProblemsError(path, problems);
  return lines.join('\n');
}
