/** The request a proof binds: an HTTP request (DPoP) or a tool invocation. */
import { canonicalJson, sha256Base64url } from '../core/encoding.js';
import type { Json, ProofRequest } from '../core/types.js';

export type HttpRequest = { readonly method: string; readonly url: string };
export type ToolRequest = { readonly tool: string; readonly args: Readonly<Record<string, Json>> };

/** Whether a request is an HTTP request (as opposed to a tool call). */
export function isHttpRequest(request: ProofRequest): request is HttpRequest {
  return 'method' in request;
}

/**
 * RFC 9449 `htu`: the target URI without query and fragment. Returns undefined for a
 * string that is not an absolute http(s) URL.
 */
export function normalizeHtu(url: string): string | undefined {
  if (typeof url !== 'string' || url.length > 4096) return undefined;
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
