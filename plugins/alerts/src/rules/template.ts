/**
 * Renders annotations the way Prometheus renders the same text (Go templates), for the subset
 * the rules use: `{{ $value }}` (Go's %v of a float64), `{{ $labels.name }}` and
 * `{{ printf "%.2f" $value }}`. Both engines then show the same summary for the same value.
 */

/** A float64 as Go's fmt prints it with %v: the shortest digits, in exponent form when the exponent is below -4 or at least 6 (1e+06). */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, expText] = value.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(value);
}

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;

/** Problems of a template (an action it cannot render), or undefined when it renders. */
export function templateProblem(text: string): string | undefined {
  for (const match of text.matchAll(ACTION)) {
    const action = match[1]!;
    if (!/^\$value$|^\$labels\.[a-zA-Z_][a-zA-Z0-9_]*$|^printf\s+"%\.\d+f"\s+\$value$/.test(action)) {
      return `'{{ ${action} }}' is not supported: use {{ $value }}, {{ $labels.<name> }} or {{ printf "%.2f" $value }}`;
    }
  }
  return undefined;
}

/**
 * Renders `text` for one alert.
 *
 * @example
 * renderTemplate('p95 is {{ printf "%.2f" $value }}s on {{ $labels.route }}', 0.5123, { route: '/a' }) // 'p95 is 0.51s on /a'
 */
export function renderTemplate(text: string, value: number, labels: Readonly<Record<string, string>>): string {
  return text.replace(ACTION, (whole, action: string) => {
    if (action === '$value') return goFloat(value);
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
    if (label) return labels[label[1]!] ?? '<no value>';
    const printf = /^printf\s+"%\.(\d+)f"\s+\$value$/.exec(action);
    if (printf) return Number.isFinite(value) ? value.toFixed(Number(printf[1])) : goFloat(value);
    return whole;
  });
}
