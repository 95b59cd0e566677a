/**
 * The one place where an environment's names are filled into runbook commands.
 *
 * Commands in runbooks/sections.ts (and evidence commands of checks) are templates:
 * `kubectl get pods -n {{namespace}} -l {{selector}}`, `curl -f {{baseUrl}}{{healthPath}}`.
 * `namesOf(config)` takes every name from the resolved environment; a name the environment does
 * not know renders as a visible placeholder (`<namespace of staging>`), never as the runbook's
 * production names, so a first step pasted during a staging incident cannot hit production.
 */
import type { ResolvedConfig } from '../config/resolved.ts';

export interface CommandNames {
  env: string;
  baseUrl: string;
  healthPath: string;
  statusPath: string;
  apiHealthPath: string;
  protectedMethod: string;
  protectedPath: string;
  /** How curl presents a key: `-H "X-API-Key: <key>"` (the key itself is never printed). */
  keyCurl: string;
  namespace: string;
  deployment: string;
  selector: string;
  service: string;
  allowedOrigins: string;
  disallowedOrigin: string;
  requestsMetric: string;
  statusLabel: string;
}

export type CommandName = keyof CommandNames;

const placeholder = (what: string, env: string) => `<${what} of ${env}>`;

export function namesOf(c: Pick<ResolvedConfig, 'env' | 'baseUrl' | 'paths' | 'protectedEndpoint' | 'kube' | 'kubeService' | 'allowedOrigins' | 'prometheus'> & {
  security: Pick<ResolvedConfig['security'], 'keyIn' | 'disallowedOrigin'>;
}): CommandNames {
  const env = c.env;
  const path = (p: string | null, what: string) => p ?? placeholder(`${what} path (none configured)`, env);
  const key = c.security.keyIn[0];
  const keyCurl =
    key?.kind === 'bearer'
      ? '-H "Authorization: Bearer <key>"'
      : key?.kind === 'basic'
        ? '-u "<key>:"'
        : key?.kind === 'query'
          ? `--url-query "${key.name}=<key>"`
          : `-H "${key?.name ?? 'X-API-Key'}: <key>"`;
  return {
    env,
    baseUrl: c.baseUrl || placeholder('base URL', env),
    healthPath: path(c.paths.health, 'health'),
    statusPath: path(c.paths.status, 'status'),
    apiHealthPath: path(c.paths.apiHealth, 'versioned health'),
    protectedMethod: c.protectedEndpoint.method,
    protectedPath: path(c.protectedEndpoint.path, 'protected'),
    keyCurl,
    namespace: c.kube?.namespace ?? placeholder('namespace', env),
    deployment: c.kube?.deployment ?? placeholder('deployment', env),
    selector: c.kube?.labelSelector ?? placeholder('label selector', env),
    service: c.kube ? c.kubeService.name : placeholder('service', env),
    allowedOrigins: c.allowedOrigins.length ? c.allowedOrigins.join(',') : placeholder('allowed origins', env),
    disallowedOrigin: c.security.disallowedOrigin,
    requestsMetric: c.prometheus?.requestsMetric ?? 'http_requests_total',
    statusLabel: c.prometheus?.statusLabel ?? 'status',
  };
}

/** Names for a report built without an environment (tests, old reports): every name a placeholder. */
export function unknownNames(env: string): CommandNames {
  return namesOf({
    env,
    baseUrl: '',
    paths: { health: null, status: null, apiHealth: null },
    protectedEndpoint: { method: 'POST', path: null },
    kube: undefined,
    kubeService: { name: '', colorLabel: '' },
    allowedOrigins: [],
    prometheus: undefined,
    security: { keyIn: [{ kind: 'header', name: 'X-API-Key' }], disallowedOrigin: 'https://not-allowed.credlink-checks.invalid' },
  });
}

const TEMPLATE = /\{\{(\w+)\}\}/g;

/** Fills `{{name}}` from the environment's names; an unknown name is a bug in a template and stays visible. */
export function renderCommand(template: string, names: CommandNames): string {
  return template.replace(TEMPLATE, (m, name: string) => (Object.hasOwn(names, name) ? names[name as CommandName] : m));
}

/** The template names a command uses (for the catalog test: every one must be known). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(TEMPLATE)].map((m) => m[1]!);
}
