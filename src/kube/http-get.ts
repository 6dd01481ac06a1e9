/**
 * One raw GET against the API server, with the kubeconfig's TLS and credentials. Waits and
 * fingerprints read JSON exactly as the server sends it, the same shape as watch events, which
 * the generated clients (model classes with Dates, unknown fields dropped) would not give.
 */
import http from 'node:http';
import https from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  /** Give up when no byte arrives for this long (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** HTTP ≥ 300 rejects with ApiException (body parsed when JSON); socket/TLS errors keep their `code`. */
export async function getJson<T>(
  kubeConfig: KubeConfig,
  path: string,
  query: Query = {},
  options: RequestOptions = {},
): Promise<T> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig context has no cluster');
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  const opts: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const send = url.protocol === 'http:' ? http.request : https.request;
  return new Promise<T>((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      agent: opts.agent,
      auth: opts.auth,
      headers: { ...(opts.headers as http.OutgoingHttpHeaders | undefined), Accept: 'application/json' },
      signal: options.signal,
    });
    req.setTimeout(timeoutMs, () => {
      const err = Object.assign(new Error(`no response within ${String(Math.round(timeoutMs / 1000))}s`), {
        code: 'ETIMEDOUT',
      });
      req.destroy(err);
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's HTML page, say): keep the text for the error message.
        }
        if (status >= 200 && status < 300 && body !== text) {
          resolve(body as T);
          return;
        }
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        reject(new ApiException(status, `GET ${path}: HTTP ${String(status)}`, body, headers));
      });
    });
    req.end();
  });
}
