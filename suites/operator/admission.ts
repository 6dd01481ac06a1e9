/**
 * Reading an operator's validating webhook configuration and the API server's answers to a create:
 * which webhook covers the CR, where each webhook is served from (a Service or a URL), and who
 * rejected a request (the operator's webhook, another webhook, schema validation) or whether the
 * webhook call itself failed. Pure functions, unit-tested.
 */
import type { V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import type { Raw } from '../../src/kube/objects.js';

export type WebhookConfiguration = Raw<V1ValidatingWebhookConfiguration>;
type Webhook = NonNullable<WebhookConfiguration['webhooks']>[number];

/** Where the API server sends a webhook's calls. */
export type ServedFrom =
  { url: string } | { service: { namespace: string; name: string; port: number; path: string } } | { missing: true };

export function servedFrom(webhook: Webhook): ServedFrom {
  const cc = webhook.clientConfig;
  if (cc.url !== undefined && cc.url !== '') return { url: cc.url };
  if (cc.service !== undefined)
    return {
      service: {
        namespace: cc.service.namespace,
        name: cc.service.name,
        port: cc.service.port ?? 443,
        path: cc.service.path ?? '/',
      },
    };
  return { missing: true };
}

export function describeServedFrom(where: ServedFrom): string {
  if ('url' in where) return `URL ${where.url} (clientConfig.url)`;
  if ('service' in where) {
    const s = where.service;
    return `Service ${s.namespace}/${s.name}:${String(s.port)}${s.path}`;
  }
  return 'nowhere (clientConfig has neither url nor service)';
}

/** The webhooks of the configuration whose rules cover CREATE of `group/version` `plural`. */
export function webhooksCovering(
  config: WebhookConfiguration,
  apiVersion: string,
  plural: string,
  operation = 'CREATE',
): Webhook[] {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const has = (list: readonly string[] | undefined, value: string | undefined): boolean =>
    list !== undefined && (list.includes('*') || (value !== undefined && list.includes(value)));
  return (config.webhooks ?? []).filter((w) =>
    (w.rules ?? []).some(
      (r) =>
        has(r.apiGroups, group) &&
        has(r.apiVersions, version) &&
        has(r.resources, plural) &&
        (has(r.operations, operation) || has(r.operations, '*')),
    ),
  );
}

/** What makes the configuration unusable for the CR: no webhook, no rules, no CA bundle, no endpoint. */
export function configurationProblems(config: WebhookConfiguration, apiVersion: string, plural: string): string[] {
  const problems: string[] = [];
  const hooks = config.webhooks ?? [];
  if (hooks.length === 0) problems.push('it has no webhooks');
  for (const w of hooks) {
    if ((w.rules ?? []).length === 0) problems.push(`webhook ${w.name} has no rules`);
    if ((w.clientConfig.caBundle ?? '') === '') problems.push(`webhook ${w.name} has an empty caBundle`);
    if ('missing' in servedFrom(w)) problems.push(`webhook ${w.name} has neither clientConfig.url nor service`);
  }
  if (hooks.length > 0 && webhooksCovering(config, apiVersion, plural).length === 0)
    problems.push(`no webhook's rules cover CREATE of ${plural} in ${apiVersion}`);
  return problems;
}

/** Who answered a create with an error. */
export type Rejection =
  | { by: 'webhook'; webhook: string; ours: boolean; message: string }
  | { by: 'call-error'; webhook: string; message: string }
  | { by: 'schema'; message: string }
  | { by: 'other'; message: string };

/**
 * Tells an admission webhook's denial (`admission webhook "x" denied the request: …`) from a
 * failed webhook call (`failed calling webhook "x": …`, the API server's 500) and from the API
 * server's own schema/CEL validation (422 Invalid, no webhook named). `ours` names the webhooks
 * of the operator's configuration.
 */
export function classifyRejection(status: number | undefined, message: string, ours: readonly string[]): Rejection {
  const denied = /admission webhook "([^"]+)" denied the request/.exec(message);
  if (denied !== null) {
    const webhook = denied[1] ?? '';
    return { by: 'webhook', webhook, ours: ours.includes(webhook), message };
  }
  const failed = /failed calling webhook "([^"]+)"/.exec(message);
  if (failed !== null) return { by: 'call-error', webhook: failed[1] ?? '', message };
  if (status === 422) return { by: 'schema', message };
  return { by: 'other', message };
}

/** One line for a failed assertion: what happened instead of the operator's webhook denying it. */
export function describeRejection(r: Rejection, webhookConfig: string): string {
  switch (r.by) {
    case 'webhook':
      return r.ours
        ? `denied by the operator's admission webhook ${r.webhook}: ${r.message}`
        : `rejected by admission webhook ${r.webhook}, which is not in ${webhookConfig}: ${r.message}`;
    case 'call-error':
      return `the call to admission webhook ${r.webhook} errored (the webhook did not answer, so nothing was judged): ${r.message}`;
    case 'schema':
      return `rejected by the API server's schema validation, not by an admission webhook: ${r.message}`;
    case 'other':
      return `rejected, but not by an admission webhook: ${r.message}`;
  }
}
