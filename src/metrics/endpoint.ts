/**
 * Where a metrics endpoint or a monitoring query API lives, as a profile parameter spells it:
 * a URL (`http://prometheus.example:9090`), or an in-cluster Service `namespace/service:port[/path]`
 * reached through the API server's service proxy. One fetch for both.
 */
import type { Kube } from '../kube/client.js';
import { apiServerRequest, httpRequest, redact, type HttpOptions, type HttpResponse } from './http.js';

export type Endpoint =
  { kind: 'url'; url: URL } | { kind: 'service'; namespace: string; service: string; port: string; path: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_FORM = /^([^/\s]+)\/([^/:\s]+):([^/\s]+)(\/.*)?$/;

/** Parses a parameter value; returns a problem (for a message naming the parameter) instead of throwing. */
export function parseEndpoint(text: string): Endpoint | { problem: string } {
  const value = text.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      return { kind: 'url', url: new URL(value) };
    } catch {
      return { problem: `${JSON.stringify(value)} is not a valid URL` };
    }
  }
  const m = SERVICE_FORM.exec(value);
  if (m === null) {
    return {
      problem: `${JSON.stringify(value)} is neither a URL (http://host:port/path) nor namespace/service:port[/path]`,
    };
  }
  const [, namespace = '', service = '', port = '', path = ''] = m;
  if (!DNS_LABEL.test(namespace) || !DNS_LABEL.test(service)) {
    return { problem: `${JSON.stringify(value)}: namespace and service must be DNS labels` };
  }
  if (!/^(\d{1,5}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.test(port)) {
    return { problem: `${JSON.stringify(value)}: the port must be a number or a port name` };
  }
  return { kind: 'service', namespace, service, port, path };
}

/** `http://x:9090/metrics` or `service monitoring/prometheus:9090` for messages. */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === 'url' ? redact(e.url) : `service ${e.namespace}/${e.service}:${e.port}${e.path}`;
}

/** The API server path proxying to a Service: `/api/v1/namespaces/ns/services/name:port/proxy/<path>`. */
export function serviceProxyPath(namespace: string, service: string, port: string, path: string): string {
  const rest = path.startsWith('/') ? path : `/${path}`;
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${encodeURIComponent(port)}/proxy${rest}`;
}

/** True when the endpoint names no path of its own (a bare host or service), so a scrape goes to /metrics. */
export function hasOwnPath(e: Endpoint): boolean {
  const path = e.kind === 'url' ? e.url.pathname : e.path;
  return path !== '' && path !== '/';
}

/** Joins the endpoint's own path (a base such as `/prometheus`) with `path`. */
function joinPath(base: string, path: string): string {
  if (path === '') return base === '' ? '/' : base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * GETs (or POSTs) `path` below the endpoint, e.g. `api/v1/query` below a Prometheus base, or ''
 * for the endpoint itself (a scrape). Resolves on any HTTP status; rejects when unreachable.
 */
export async function fetchFromEndpoint(
  kube: Kube,
  endpoint: Endpoint,
  path: string,
  query: Record<string, string> = {},
  options: Omit<HttpOptions, 'agent' | 'auth'> = {},
): Promise<HttpResponse> {
  if (endpoint.kind === 'url') {
    const url = new URL(endpoint.url.toString());
    url.pathname = joinPath(url.pathname === '/' ? '' : url.pathname, path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return httpRequest(url, options);
  }
  const proxied = serviceProxyPath(endpoint.namespace, endpoint.service, endpoint.port, joinPath(endpoint.path, path));
  return apiServerRequest(kube, proxied, query, options);
}
