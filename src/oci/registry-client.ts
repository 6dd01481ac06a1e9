/**
 * Requests to one OCI distribution registry (the /v2/ API), with the anonymous bearer-token
 * handshake public registries ask for (401 + `WWW-Authenticate: Bearer realm=...`). No credentials:
 * private models are probed with digests given as parameters instead. Only `fetch` and node built-ins.
 */
import { registryBaseUrl } from './reference.js';

/** A registry request that failed; `status` is undefined when no HTTP answer came (refused, DNS, TLS, timeout). */
export class RegistryError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryError';
    this.status = status;
  }
  /** The registry could not be asked at all, or wants credentials we do not have. */
  get unreachable(): boolean {
    return this.status === undefined || this.status === 401 || this.status === 403;
  }
}

export interface RegistryRequest {
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Token scope for registries that want one: `repository:aic/model:pull`. */
  scope?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time';
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** `Bearer realm="https://auth.example/token",service="registry",scope="..."` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([A-Za-z]+)="([^"]*)"/g;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) params[(m[1] ?? '').toLowerCase()] = m[2] ?? '';
  return { scheme, params };
}

/** The registry's own words from an OCI error body (`{"errors":[{"code","message"}]}`), else the text's start. */
export function registryErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first !== undefined) return [first.code, first.message].filter(Boolean).join(': ');
  } catch {
    // not JSON
  }
  const line = body.trim().split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly tokens = new Map<string, string>();

  constructor(registry: string, options: { timeoutMs?: number; baseUrl?: string } = {}) {
    this.registry = registry;
    this.baseUrl = options.baseUrl ?? registryBaseUrl(registry);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends a request to `path` (under the base URL, or an absolute URL the registry handed out). */
  async request(method: string, path: string, init: RegistryRequest = {}): Promise<Response> {
    const url = path.startsWith('http://') || path.startsWith('https://') ? path : `${this.baseUrl}${path}`;
    const send = async (): Promise<Response> => {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.scope === undefined ? undefined : this.tokens.get(init.scope);
      if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
      try {
        return await fetch(url, { method, headers, body: init.body, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        throw new RegistryError(`cannot reach ${this.baseUrl}: ${networkReason(err)}`, undefined, { cause: err });
      }
    };
    let res = await send();
    if (res.status === 401 && init.scope !== undefined && !this.tokens.has(init.scope)) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.body?.cancel();
      const token = await this.anonymousToken(challenge, init.scope);
      if (token === undefined) {
        throw new RegistryError(`${this.baseUrl} wants credentials (${challenge || 'no challenge'})`, 401);
      }
      this.tokens.set(init.scope, token);
      res = await send();
    }
    return res;
  }

  /** Reads a response body, throwing a RegistryError unless the status is one of `ok`. */
  async expect(res: Response, ok: readonly number[], what: string): Promise<Uint8Array> {
    const body = new Uint8Array(await res.arrayBuffer());
    if (!ok.includes(res.status)) {
      const text = registryErrorText(Buffer.from(body).toString('utf8'));
      throw new RegistryError(`${what}: HTTP ${String(res.status)}${text === '' ? '' : ` (${text})`}`, res.status);
    }
    return body;
  }

  private async anonymousToken(challenge: string, scope: string): Promise<string | undefined> {
    const { scheme, params } = parseChallenge(challenge);
    if (scheme !== 'bearer' || params['realm'] === undefined) return undefined;
    const url = new URL(params['realm']);
    if (params['service'] !== undefined) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', scope);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new RegistryError(`cannot reach the token service ${url.origin}: ${networkReason(err)}`, undefined, {
        cause: err,
      });
    }
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const json = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = json.token ?? json.access_token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  }
}
