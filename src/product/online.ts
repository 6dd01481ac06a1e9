/**
 * The two look-ups of the CNCF validator that need the network: every http(s) URL resolves (HEAD,
 * then GET, status < 400, 30 s, the validator's User-Agent), and vendorName is a CNCF member in the
 * landscape. Only with `product check --online`; the fetch function is injectable for tests.
 */

import YAML from 'yaml';
import { LANDSCAPE_URL, URL_TIMEOUT_MS, VALIDATOR_USER_AGENT } from './schema.js';
import { isRecord, networkReason } from './template.js';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export type UrlResult = { ok: true } | { ok: false; reason: string; network: boolean };

/** HEAD first; some servers refuse HEAD (405) or answer it wrongly, so a failed HEAD falls back to GET. */
export async function resolveUrl(url: string, fetchImpl: Fetch = fetch): Promise<UrlResult> {
  const attempt = async (method: 'HEAD' | 'GET'): Promise<UrlResult> => {
    try {
      const res = await fetchImpl(url, {
        method,
        redirect: 'follow',
        headers: { 'User-Agent': VALIDATOR_USER_AGENT },
        signal: AbortSignal.timeout(URL_TIMEOUT_MS),
      });
      // The body is not needed; release the connection.
      await res.body?.cancel().catch(() => undefined);
      return res.status < 400 ? { ok: true } : { ok: false, reason: `HTTP ${String(res.status)}`, network: false };
    } catch (err) {
      return { ok: false, reason: networkReason(err), network: true };
    }
  };
  const head = await attempt('HEAD');
  return head.ok ? head : attempt('GET');
}

export type MembersResult = { ok: true; names: Set<string> } | { ok: false; reason: string; network: boolean };

/** Names in the landscape's `CNCF Members` category, with ` (member)` / ` (supporter)` removed, as the validator compares them. */
export async function cncfMemberNames(fetchImpl: Fetch = fetch): Promise<MembersResult> {
  let text: string;
  try {
    const res = await fetchImpl(LANDSCAPE_URL, {
      headers: { 'User-Agent': VALIDATOR_USER_AGENT },
      signal: AbortSignal.timeout(URL_TIMEOUT_MS),
    });
    if (!res.ok) return { ok: false, reason: `HTTP ${String(res.status)} from ${LANDSCAPE_URL}`, network: false };
    text = await res.text();
  } catch (err) {
    return { ok: false, reason: networkReason(err), network: true };
  }
  return { ok: true, names: memberNames(YAML.parse(text, { maxAliasCount: -1 }) as unknown) };
}

/**
 * landscape.yml: `landscape: [{category:, name, subcategories: [{subcategory:, name, items: [{item:, name}]}]}]`
 * (the `category:`/`item:` keys are empty markers beside the real fields).
 */
export function memberNames(landscape: unknown): Set<string> {
  const names = new Set<string>();
  const categories = isRecord(landscape) && Array.isArray(landscape.landscape) ? landscape.landscape : [];
  for (const category of categories) {
    if (!isRecord(category) || category.name !== 'CNCF Members' || !Array.isArray(category.subcategories)) continue;
    for (const sub of category.subcategories) {
      if (!isRecord(sub) || !Array.isArray(sub.items)) continue;
      for (const item of sub.items) {
        if (isRecord(item) && typeof item.name === 'string')
          names.add(item.name.replace(/ \((member|supporter)\)$/, '').trim());
      }
    }
  }
  return names;
}

/** Members whose names contain the given one or the reverse, ignoring case: the likely intended spelling. */
export function closeNames(name: string, names: ReadonlySet<string>, max = 3): string[] {
  const n = name.trim().toLowerCase();
  if (n === '') return [];
  return [...names].filter((m) => m.toLowerCase().includes(n) || n.includes(m.toLowerCase())).slice(0, max);
}
