/**
 * Turning what a failed API call throws into one readable line.
 *
 * Calls fail in three shapes: `ApiException` (the server answered ≥ 300; `.body` is usually a
 * `Status`), node-fetch's `FetchError` from the generated clients, and Node's own socket/TLS
 * errors (`.code` such as ECONNREFUSED) from our raw requests. Users see none of these raw.
 */
import { STATUS_CODES } from 'node:http';
import { ApiException } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';

interface StatusBody {
  reason?: string;
  message?: string;
  code?: number;
}

/** Socket and TLS error codes that mean "we never got an answer from the API server". */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host not found (DNS, temporary failure)',
  EPROTO: 'TLS handshake failed',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: self-signed certificate (set certificate-authority in the kubeconfig)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: certificate not signed by the configured CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS: certificate issuer not trusted',
  CERT_HAS_EXPIRED: 'TLS: server certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: server certificate does not match the host name',
};

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code } = err as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

function statusBody(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      return statusBody(JSON.parse(body));
    } catch {
      return body.trim() === '' ? undefined : { message: body.trim().split('\n')[0] };
    }
  }
  if (typeof body === 'object' && body !== null) return body;
  return undefined;
}

/** The HTTP status of a failed call, or undefined when the server never answered. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return (err as ApiException<unknown>).code;
  // client-node's Watch rejects with a plain Error carrying statusCode.
  if (typeof err === 'object' && err !== null) {
    const { statusCode } = err as { statusCode?: unknown };
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return httpStatus(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return httpStatus(err) === 409;
}

/** True when the request never got an HTTP answer: refused, DNS, TLS, reset, timeout. */
export function isNetworkError(err: unknown): boolean {
  if (httpStatus(err) !== undefined) return false;
  const code = errorCode(err);
  if (code !== undefined && (code in NETWORK_REASONS || code.startsWith('ERR_SSL') || code.startsWith('CERT_'))) {
    return true;
  }
  if (err instanceof Error) {
    // node-fetch's FetchError (type 'system' / 'request-timeout') and AbortSignal.timeout().
    const type = (err as { type?: unknown }).type;
    return err.name === 'FetchError' || err.name === 'TimeoutError' || type === 'system';
  }
  return false;
}

/** Why a network error happened, in a few words. */
function networkReason(err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined && code in NETWORK_REASONS) {
    const host = (err as { hostname?: unknown }).hostname;
    const reason = NETWORK_REASONS[code] ?? code;
    return typeof host === 'string' && code.startsWith('E') && reason.includes('DNS') ? `${reason}: ${host}` : reason;
  }
  const message = err instanceof Error ? err.message : String(err);
  // node-fetch: "request to https://… failed, reason: connect ECONNREFUSED 127.0.0.1:6443"
  const tail = /reason: (.*)$/.exec(message)?.[1];
  return tail ?? message;
}

/**
 * One line for any error from an API call: `404 NotFound: pods "p1" not found`,
 * `connection refused`, or the error's own message.
 */
export function describeApiError(err: unknown): string {
  const status = httpStatus(err);
  if (status !== undefined) {
    const body = statusBody((err as { body?: unknown }).body);
    const reason = body?.reason ?? STATUS_CODES[status] ?? 'Error';
    const message = body?.message;
    return message === undefined || message === ''
      ? `${String(status)} ${reason}`
      : `${String(status)} ${reason}: ${message}`;
  }
  if (isNetworkError(err)) return networkReason(err);
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

/** Where a call went, for ClusterError messages. */
export interface ClusterEndpoint {
  server: string;
  context: string;
}

/**
 * The ClusterError (exit 3) for errors that mean "this cluster cannot be used as configured":
 * unreachable, 401, 403. Anything else is the caller's to report, so this returns undefined.
 */
export function asClusterError(err: unknown, at: ClusterEndpoint): ClusterError | undefined {
  if (err instanceof ClusterError) return err;
  const where = `${at.server} (context ${at.context})`;
  const status = httpStatus(err);
  if (status === 401) {
    return new ClusterError(
      `unauthorized by the cluster at ${where}: the credentials were rejected (${describeApiError(err)})`,
      {
        cause: err,
      },
    );
  }
  if (status === 403) {
    return new ClusterError(`forbidden by the cluster at ${where}: ${describeApiError(err)}`, { cause: err });
  }
  if (status === undefined && isNetworkError(err)) {
    return new ClusterError(`cannot reach the cluster at ${where}: ${networkReason(err)}`, { cause: err });
  }
  return undefined;
}
