/**
 * The statistics of WeightedTrafficSplit: with weights wA:wB, each request reaches backend A with
 * probability p = wA / (wA + wB), so over n independent requests A's count is Binomial(n, p). The
 * acceptance interval [lo, hi] is the narrowest one whose two tails each hold at most alpha / 2 of
 * that distribution, so a conforming implementation fails with probability at most alpha. A
 * deterministic weighted round robin (exactly n·p) lies in the middle of it.
 */

/** The false-failure probability the probe allows (CONFORMANCE.md). */
export const SPLIT_ALPHA = 1e-4;

export interface AcceptanceInterval {
  n: number;
  p: number;
  lo: number;
  hi: number;
  /** P(X < lo) + P(X > hi) under Binomial(n, p): the probability that a conforming split fails. */
  falseFailure: number;
}

/** ln(k!) by summation; n stays in the thousands here, so this is exact enough and simple. */
function logFactorials(n: number): number[] {
  const out = [0];
  for (let k = 1; k <= n; k += 1) out.push((out[k - 1] ?? 0) + Math.log(k));
  return out;
}

/** The Binomial(n, p) probabilities of 0..n. */
export function binomialPmf(n: number, p: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`binomialPmf: n must be a positive integer, got ${String(n)}`);
  if (!(p > 0 && p < 1)) throw new Error(`binomialPmf: p must lie strictly between 0 and 1, got ${String(p)}`);
  const lf = logFactorials(n);
  const out: number[] = [];
  for (let k = 0; k <= n; k += 1) {
    const logP = (lf[n] ?? 0) - (lf[k] ?? 0) - (lf[n - k] ?? 0) + k * Math.log(p) + (n - k) * Math.log(1 - p);
    out.push(Math.exp(logP));
  }
  return out;
}

export function acceptanceInterval(n: number, p: number, alpha: number = SPLIT_ALPHA): AcceptanceInterval {
  const pmf = binomialPmf(n, p);
  let lo = 0;
  let below = 0;
  // Grow the lower tail while it stays within alpha/2.
  while (lo < n && below + (pmf[lo] ?? 0) <= alpha / 2) {
    below += pmf[lo] ?? 0;
    lo += 1;
  }
  let hi = n;
  let above = 0;
  while (hi > lo && above + (pmf[hi] ?? 0) <= alpha / 2) {
    above += pmf[hi] ?? 0;
    hi -= 1;
  }
  return { n, p, lo, hi, falseFailure: below + above };
}

export interface SplitVerdict {
  ok: boolean;
  interval: AcceptanceInterval;
  /** One line for the log and the failure message. */
  summary: string;
}

/**
 * Judges `counts` (answers per backend) against weights `{a: 80, b: 20}`: every request must have
 * been answered by one of the two backends, and A's count must lie in the acceptance interval.
 */
export function judgeSplit(
  counts: Readonly<Record<string, number>>,
  weights: { a: { name: string; weight: number }; b: { name: string; weight: number } },
  sent: number,
  alpha: number = SPLIT_ALPHA,
): SplitVerdict {
  const { a, b } = weights;
  const interval = acceptanceInterval(sent, a.weight / (a.weight + b.weight), alpha);
  const countA = counts[a.name] ?? 0;
  const countB = counts[b.name] ?? 0;
  const others = sent - countA - countB;
  const pct = (x: number): string => `${(Math.round((1000 * x) / sent) / 10).toFixed(1)}%`;
  const observed = `${a.name} ${String(countA)} (${pct(countA)}), ${b.name} ${String(countB)} (${pct(countB)}) of ${String(sent)} requests${others > 0 ? `, ${String(others)} answered otherwise` : ''}`;
  const accepted = `accepted for ${a.name}: ${String(interval.lo)}..${String(interval.hi)} (weights ${String(a.weight)}/${String(b.weight)}, Binomial(${String(sent)}, ${String(interval.p)}), false-failure probability ${interval.falseFailure.toExponential(1)} ≤ ${alpha.toExponential(0)})`;
  const ok = others === 0 && countA >= interval.lo && countA <= interval.hi;
  return { ok, interval, summary: `observed ${observed}; ${accepted}` };
}
