/**
 * Plain HTTP for the metrics probes: scraping an exporter, querying a monitoring system, writing a
 * value to a metrics adapter. Endpoints are either a URL or an in-cluster Service reached through
 * the API server's service proxy (`namespace/service:port`), so a probe needs no network path of
 * its own into the cluster. Kube.getJson reads JSON only; scrapes are text, hence this module.
 */
import http from 'node:http';
import https from 'node:https';
import type { Kube } from '../kube/client.js';

export interface HttpResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface HttpOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: http.OutgoingHttpHeaders;
  /** Give up when no byte arrives for this long (default 30 s). */
  timeoutMs?: number;
  agent?: http.Agent;
  auth?: string;
}

/** A request that got no HTTP answer (refused, reset, timed out, bad TLS): the endpoint is unreachable. */
export class UnreachableError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnreachableError';
    this.code = code;
  }
}

/** Sends one request; any HTTP status resolves (the caller judges it), network failures reject with UnreachableError. */
export function httpRequest(url: URL, options: HttpOptions = {}): Promise<HttpResponse> {
  const send = url.protocol === 'http:' ? http.request : https.request;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const method = options.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = send(url, { method, headers, agent: options.agent, auth: options.auth });
    req.setTimeout(timeoutMs, () => {
      req.destroy(
        Object.assign(new Error(`no response within ${String(Math.round(timeoutMs / 1000))}s`), { code: 'ETIMEDOUT' }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(new UnreachableError(`${method} ${redact(url)}: ${err.message}`, err.code, { cause: err }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => {
        reject(new UnreachableError(`${method} ${redact(url)}: ${err.message}`, err.code, { cause: err }));
      });
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(options.body);
  });
}

/** The URL without user info, for messages. */
export function redact(url: URL): string {
  if (url.username === '' && url.password === '') return url.toString();
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

/** A request to the API server at `path` (with `query`), authenticated as the kubeconfig says. */
export async function apiServerRequest(
  kube: Kube,
  path: string,
  query: Record<string, string> = {},
  options: Omit<HttpOptions, 'agent' | 'auth'> = {},
): Promise<HttpResponse> {
  const url = new URL(kube.server().replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const opts: https.RequestOptions = {};
  await kube.kubeConfig.applyToHTTPSOptions(opts);
  const request: HttpOptions = {
    ...options,
    headers: { ...(opts.headers as http.OutgoingHttpHeaders | undefined), ...options.headers },
  };
  if (opts.agent instanceof http.Agent) request.agent = opts.agent;
  if (typeof opts.auth === 'string') request.auth = opts.auth;
  return httpRequest(url, request);
}
