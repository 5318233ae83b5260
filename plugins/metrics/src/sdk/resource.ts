/**
 * The resource every metric and span carries (`target_info` on /metrics): `service.name` and
 * the attributes of the config, overridden by `OTEL_RESOURCE_ATTRIBUTES` and then by
 * `OTEL_SERVICE_NAME`, as the OpenTelemetry environment spec orders them.
 */
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';

/**
 * Builds the resource from the config and the environment `env` (`process.env` by default).
 * Malformed pairs of OTEL_RESOURCE_ATTRIBUTES (no `=`) are skipped; values are percent-decoded.
 *
 * @example
 * createResource({ serviceName: 'plugboard', resourceAttributes: {} }, { OTEL_SERVICE_NAME: 'chat' });
 */
export function createResource(
  config: { serviceName: string; resourceAttributes: Record<string, string> },
  env: NodeJS.ProcessEnv = process.env,
): Resource {
  const attributes: Record<string, string> = { 'service.name': config.serviceName, ...config.resourceAttributes };
  for (const pair of (env['OTEL_RESOURCE_ATTRIBUTES'] ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    attributes[pair.slice(0, at).trim()] = decode(pair.slice(at + 1).trim());
  }
  const serviceName = env['OTEL_SERVICE_NAME']?.trim();
  if (serviceName) attributes['service.name'] = serviceName;
  return defaultResource().merge(resourceFromAttributes(attributes));
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
