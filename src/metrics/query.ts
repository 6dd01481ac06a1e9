/**
 * Instant queries against a Prometheus-compatible query API (`GET <base>/api/v1/query`), which
 * Prometheus, Thanos, Cortex/Mimir, VictoriaMetrics and managed services all offer.
 */
import type { Kube } from '../kube/client.js';
import { describeEndpoint, fetchFromEndpoint, type Endpoint } from './endpoint.js';

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/** The query API answered, but not with a result (bad query, HTTP error, not Prometheus). */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

interface QueryResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Reads an API answer into samples: a vector's elements, or a scalar as one sample without labels. */
export function parseQueryResponse(body: string, where: string): VectorSample[] {
  let parsed: QueryResponse;
  try {
    parsed = JSON.parse(body) as QueryResponse;
  } catch {
    throw new QueryError(`${where} did not answer with JSON: ${body.slice(0, 160)}`);
  }
  if (parsed.status !== 'success')
    throw new QueryError(`${where}: query failed: ${parsed.error ?? body.slice(0, 160)}`);
  const { resultType, result } = parsed.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result)) return [{ metric: {}, value: Number(result[1]) }];
  if (resultType !== 'vector' || !Array.isArray(result))
    throw new QueryError(`${where}: expected a vector result, got ${String(resultType)}`);
  return result.map((item: { metric?: Record<string, string>; value?: [number, string] }) => ({
    metric: item.metric ?? {},
    value: Number(item.value?.[1]),
  }));
}

/** Runs `promql` as an instant query. Unreachable endpoints reject with the http module's UnreachableError. */
export async function instantQuery(kube: Kube, endpoint: Endpoint, promql: string): Promise<VectorSample[]> {
  const res = await fetchFromEndpoint(kube, endpoint, 'api/v1/query', { query: promql });
  const where = `query API ${describeEndpoint(endpoint)}`;
  if (res.status !== 200 && !res.contentType.includes('json')) {
    throw new QueryError(`${where}: HTTP ${String(res.status)}: ${res.text.slice(0, 160)}`);
  }
  return parseQueryResponse(res.text, where);
}

/** A PromQL label matcher value, quoted and escaped. */
export function promString(value: string): string {
  return JSON.stringify(value);
}
