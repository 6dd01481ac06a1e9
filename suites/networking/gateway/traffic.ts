/**
 * Requests through the Gateway, from the runner (straight to the Gateway's address) or from a
 * client pod in the cluster that reports its counts as one JSON line in its termination message.
 * A batch is `count` GETs of the echo path with one Host (the route's hostname) and headers; the
 * tally counts 200 answers by body (the backend's name) and everything else by status.
 */
import http from 'node:http';
import { UnreachableError, httpRequest } from '../../../src/metrics/http.js';

export interface GatewayTarget {
  /** The Gateway's status address (IP or hostname) and listener port. */
  address: string;
  port: number;
}

export interface Batch {
  host: string;
  headers: Readonly<Record<string, string>>;
  count: number;
}

export interface Tally {
  sent: number;
  /** 200 answers by body (trimmed): the echo backends answer with their pod name. */
  answers: Record<string, number>;
  /** Other outcomes: `404`, `503`, `unreachable`. */
  others: Record<string, number>;
  /** The first request that got no answer, for messages. */
  firstError?: string;
  elapsedMs: number;
}

/** The path the echo backends answer with their own name (agnhost netexec /hostname). */
export const ECHO_PATH = '/hostname';

export function gatewayUrl(target: GatewayTarget): URL {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  return new URL(`http://${host}:${String(target.port)}${ECHO_PATH}`);
}

function emptyTally(): Tally {
  return { sent: 0, answers: {}, others: {}, elapsedMs: 0 };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** One request from the runner; resolves to `200:<body>`, `<status>` or `unreachable`. */
async function requestOnce(url: URL, batch: Batch, agent: http.Agent): Promise<{ key: string; error?: string }> {
  try {
    const r = await httpRequest(url, { headers: { ...batch.headers, host: batch.host }, agent, timeoutMs: 10_000 });
    return r.status === 200 ? { key: `200:${r.text.trim()}` } : { key: String(r.status) };
  } catch (err) {
    if (err instanceof UnreachableError) return { key: 'unreachable', error: err.message };
    throw err;
  }
}

/** Sends the batch from the runner, `concurrency` requests in flight on keep-alive connections. */
export async function sendFromRunner(target: GatewayTarget, batch: Batch, concurrency = 8): Promise<Tally> {
  const url = gatewayUrl(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const tally = emptyTally();
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batch.count) {
      next += 1;
      const { key, error } = await requestOnce(url, batch, agent);
      tally.sent += 1;
      if (key.startsWith('200:')) bump(tally.answers, key.slice(4));
      else bump(tally.others, key);
      if (error !== undefined) tally.firstError ??= error;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.count) }, worker));
  } finally {
    agent.destroy();
  }
  tally.elapsedMs = Date.now() - started;
  return tally;
}

/** Does anything answer HTTP at the Gateway's address (any status)? Used by inferenceClient=auto. */
export async function runnerReaches(target: GatewayTarget, host: string): Promise<{ ok: boolean; why: string }> {
  const agent = new http.Agent();
  try {
    const r = await httpRequest(gatewayUrl(target), { headers: { host }, agent, timeoutMs: 5_000 });
    return { ok: true, why: `${gatewayUrl(target).toString()} answers the runner (HTTP ${String(r.status)})` };
  } catch (err) {
    if (err instanceof UnreachableError) return { ok: false, why: err.message };
    throw err;
  } finally {
    agent.destroy();
  }
}

/** The client pod's report: `{"counts": {"echo-a": 160, "status:404": 2, "status:none": 1}}`. */
export function tallyFromReport(report: Record<string, unknown>, sent: number): Tally {
  const counts = report['counts'];
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts))
    throw new Error(`the client pod's report has no "counts" object: ${JSON.stringify(report).slice(0, 200)}`);
  const tally = emptyTally();
  for (const [key, value] of Object.entries(counts as Record<string, unknown>)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new Error(`the client pod's report counts ${JSON.stringify(value)} for ${key}`);
    if (key.startsWith('status:')) {
      const code = key.slice('status:'.length);
      tally.others[code === 'none' ? 'unreachable' : code] = value;
    } else tally.answers[key] = value;
    tally.sent += value;
  }
  if (tally.sent !== sent)
    throw new Error(`the client pod reports ${String(tally.sent)} requests, ${String(sent)} were asked for`);
  return tally;
}

/** `echo-a 160, echo-b 40, 404 ×2`: the tally in one line. */
export function describeTally(t: Tally): string {
  const parts = [
    ...Object.entries(t.answers)
      .sort()
      .map(([k, v]) => `${k} ${String(v)}`),
    ...Object.entries(t.others)
      .sort()
      .map(([k, v]) => `${k === 'unreachable' ? 'no answer' : `HTTP ${k}`} ×${String(v)}`),
  ];
  const rate = t.elapsedMs > 0 ? `, ${String(Math.round((t.sent * 1000) / t.elapsedMs))} requests/s` : '';
  return `${parts.join(', ') || 'nothing'} (${String(t.sent)} sent${rate})${t.firstError === undefined ? '' : `; first error: ${t.firstError}`}`;
}
