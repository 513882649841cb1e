/** Agent names as origins. */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The canonical origin of an agent name; https only (http for loopback, for tests). */
export function agentOrigin(agent: string): string {
  let url: URL;
  try {
    url = new URL(agent);
  } catch (cause) {
    throw new TypeError(`agent ${JSON.stringify(agent)} must be an origin URL`, { cause });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new TypeError(`agent ${url.origin} must be an https origin`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new TypeError(`agent ${JSON.stringify(agent)} must be a bare origin`);
  }
  return url.origin;
}
