/** The request a proof binds: an HTTP request (DPoP) or a tool invocation. */
import { RecurringCache } from '../core/recurring-cache.js';
import { canonicalJson, sha256Base64url } from '../core/encoding.js';
import type { Json, ProofRequest } from '../core/types.js';

export type HttpRequest = { readonly method: string; readonly url: string };
export type ToolRequest = { readonly tool: string; readonly args: Readonly<Record<string, Json>> };

/** Whether a request is an HTTP request (as opposed to a tool call). */
export function isHttpRequest(request: ProofRequest): request is HttpRequest {
  return 'method' in request;
}

/**
 * Normalised request URLs by their exact text: a pure function of the text, and the same few
 * URLs recur on every request (each proof's `htu` is compared with the request's). Kept once a
 * URL recurs (fingerprinted by its end: URLs share their start), short URLs only, so the cache
 * holds at most 256 × 512 characters, and `null` for text that is not one.
 */
const normalizedUrls = new RecurringCache<string | null>(256, 'end');
const CACHED_URL_LENGTH = 512;

/**
 * RFC 9449 `htu`: the target URI without query and fragment. Returns undefined for a
 * string that is not an absolute http(s) URL.
 */
export function normalizeHtu(url: string): string | undefined {
  if (typeof url !== 'string' || url.length > 4096) return undefined;
  const cached = normalizedUrls.get(url);
  if (cached !== undefined) return cached ?? undefined;
  const normalized = parseHtu(url);
  if (url.length <= CACHED_URL_LENGTH && normalizedUrls.metBefore(url)) {
    normalizedUrls.set(url, normalized ?? null);
  }
  return normalized;
}

function parseHtu(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** The digest an invocation proof carries: base64url SHA-256 of the RFC 8785 form of the args. */
export function argsHash(args: Readonly<Record<string, Json>>): string {
  return sha256Base64url(canonicalJson(args));
}

/** `ath`: base64url SHA-256 of the mandate token string (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return sha256Base64url(token);
}
