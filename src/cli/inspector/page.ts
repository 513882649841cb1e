/**
 * The Inspector's one page: self-contained HTML with its CSS and script inline, allowed by
 * hash in a strict Content-Security-Policy (nothing else may load, run or connect anywhere but
 * this server). Every token-derived string reaches the DOM through `textContent`; the CSP also
 * enforces Trusted Types, so an `innerHTML` assignment of a string would throw rather than
 * parse markup out of a token.
 *
 * The script is a plain string (not compiled TypeScript) so that its bytes, and therefore its
 * CSP hash, are exactly what is served.
 *
 * @module
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --muted: #6e7781; --hl: #fff1c2; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 78rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 0.2rem 0; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
textarea, input { font: 12px/1.4 ui-monospace, monospace; width: 100%; box-sizing: border-box; }
textarea { min-height: 5.5rem; }
label { display: block; margin: 0.5rem 0 0.15rem; font-weight: 600; }
button { font: inherit; padding: 0.35rem 1rem; margin-top: 0.6rem; cursor: pointer; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.2rem; }
.muted { color: var(--muted); }
.banner { border: 2px solid var(--bad); padding: 0.4rem 0.7rem; margin: 0.6rem 0; font-weight: 600; }
.error { border-left: 4px solid var(--bad); padding: 0.4rem 0.7rem; margin: 0.6rem 0; }
.code { font-family: ui-monospace, monospace; font-weight: 700; }
.mono, td { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin-top: 0.4rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { font-size: 12px; }
tr.failed td { background: var(--hl); color: #000; border-color: var(--bad); }
tr.failed td:first-child { border-left: 5px solid var(--bad); }
ol.timeline { padding-left: 1.2rem; }
ol.timeline li { margin: 0.15rem 0; overflow-wrap: anywhere; }
ol.timeline li.failed { background: var(--hl); color: #000; }
ul.notes { margin: 0; padding-left: 1rem; }
li.widened { color: var(--bad); font-weight: 700; }
li.same { color: var(--muted); }
.allowed { color: var(--ok); font-weight: 700; font-size: 1.15rem; }
.denied { color: var(--bad); font-weight: 700; font-size: 1.15rem; }
[hidden] { display: none !important; }
`;

const SCRIPT = `
'use strict';
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var current = null; // the last decoded view, and the token it was decoded from
  var currentToken = null;

  // Every token-derived string goes through here: a text node, never markup.
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function iso(seconds) {
    var d = new Date(seconds * 1000);
    return isNaN(d.getTime()) ? String(seconds) : d.toISOString();
  }
  function showError(where, err) {
    var box = byId(where);
    clear(box);
    box.appendChild(el('span', err.code || 'INSPECTOR_ERROR', 'code'));
    box.appendChild(document.createTextNode(': ' + (err.message || 'failed')));
    if (typeof err.hop === 'number') box.appendChild(document.createTextNode(' (block ' + err.hop + ')'));
    box.hidden = false;
  }
  function hideError(where) { var box = byId(where); clear(box); box.hidden = true; }

  async function post(path, body) {
    var res;
    try {
      res = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { ok: false, error: { code: 'INSPECTOR_UNREACHABLE', message: 'the Inspector server did not answer' } };
    }
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok || data === null) {
      return { ok: false, error: (data && data.error) || { code: 'INSPECTOR_HTTP_' + res.status, message: 'the request failed' } };
    }
    return { ok: true, data: data };
  }

  function describeCap(c) {
    var text = c.actions.join(',') + ' on ' + c.resource;
    if (c.constraints && Object.keys(c.constraints).length > 0) text += ' where ' + JSON.stringify(c.constraints);
    if (c.optional && c.optional.length > 0) text += ' (optional: ' + c.optional.join(',') + ')';
    return text;
  }

  function renderView(view) {
    byId('unverified').textContent = view.notice;
    byId('view').hidden = false;
    byId('format').textContent = view.format;
    byId('subject').textContent = view.subject;
    byId('last-holder').textContent = view.holder;
    byId('root-issuer').textContent = view.hops.length > 0 ? view.hops[0].from : '';

    var timeline = byId('timeline');
    clear(timeline);
    if (view.hops.length > 0) {
      var anchor = el('li', null, 'mono');
      anchor.appendChild(el('strong', 'anchor '));
      anchor.appendChild(document.createTextNode(view.hops[0].from));
      timeline.appendChild(anchor);
    }
    view.hops.forEach(function (h) {
      var li = el('li', null, 'mono');
      li.dataset.hop = String(h.hop);
      li.appendChild(el('strong', 'holder ' + h.hop + ' '));
      li.appendChild(document.createTextNode(h.to));
      timeline.appendChild(li);
    });

    var body = byId('hops-body');
    clear(body);
    view.hops.forEach(function (h) {
      var tr = document.createElement('tr');
      tr.dataset.hop = String(h.hop);
      tr.className = 'hop';
      tr.appendChild(el('td', h.hop + (h.kind === 'root' ? ' (root)' : '')));

      var who = el('td');
      who.appendChild(el('div', 'from: ' + h.from, 'from'));
      who.appendChild(el('div', 'to: ' + h.to, 'to'));
      tr.appendChild(who);

      var caps = el('td');
      var capList = el('ul', null, 'notes caps');
      if (h.capabilities.length === 0) capList.appendChild(el('li', 'no capabilities', 'same'));
      h.capabilities.forEach(function (c) { capList.appendChild(el('li', describeCap(c))); });
      caps.appendChild(capList);
      tr.appendChild(caps);

      var narrowing = el('td');
      var notes = el('ul', null, 'notes narrowing');
      if (h.kind === 'root') notes.appendChild(el('li', 'the grant from the anchor', 'same'));
      h.narrowing.forEach(function (n) { notes.appendChild(el('li', n.text, n.kind)); });
      narrowing.appendChild(notes);
      tr.appendChild(narrowing);

      var caveats = el('td');
      caveats.appendChild(el('div', 'subject: ' + h.subject, 'hop-subject'));
      caveats.appendChild(el('div', 'audience: ' + (h.audience ? h.audience.join(', ') : '(none)')));
      caveats.appendChild(el('div', 'expires: ' + iso(h.expiresAt)));
      if (typeof h.notBefore === 'number') caveats.appendChild(el('div', 'not before: ' + iso(h.notBefore)));
      caveats.appendChild(el('div', 'depth: ' + h.depth + ' of max ' + h.maxDepth));
      if (h.purpose !== undefined) caveats.appendChild(el('div', 'purpose: ' + h.purpose, 'purpose'));
      tr.appendChild(caveats);

      var ids = el('td');
      ids.appendChild(el('div', h.id, 'block-id'));
      if (h.revocationId !== undefined) ids.appendChild(el('div', 'revocation id: ' + h.revocationId, 'revocation-id'));
      tr.appendChild(ids);
      body.appendChild(tr);
    });
    if (!byId('audience').value && view.hops.length > 0 && view.hops[0].audience && view.hops[0].audience.length > 0) {
      byId('audience').value = view.hops[0].audience[0];
    }
  }

  function highlight(hop) {
    var rows = document.querySelectorAll('#hops-body tr, #timeline li[data-hop]');
    rows.forEach(function (row) {
      var on = hop !== null && row.dataset.hop === String(hop);
      row.classList.toggle('failed', on);
      if (on) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
    });
  }

  async function inspect() {
    // Cleared at once, so nothing of the previous token can be read as this one's.
    hideError('error');
    byId('result').hidden = true;
    byId('view').hidden = true;
    clear(byId('hops-body'));
    clear(byId('timeline'));
    var token = byId('token').value.trim();
    if (token === '') {
      showError('error', { code: 'INSPECTOR_BAD_REQUEST', message: 'paste a mandate first' });
      return false;
    }
    var r = await post('/api/inspect', { token: token });
    if (!r.ok) {
      current = null;
      currentToken = null;
      byId('view').hidden = true;
      showError('error', r.error);
      return false;
    }
    current = r.data;
    currentToken = token;
    renderView(current);
    return true;
  }

  function jsonField(id, label, optional) {
    var text = byId(id).value.trim();
    if (text === '') {
      if (optional) return undefined;
      throw { code: 'INSPECTOR_BAD_REQUEST', message: label + ' is required' };
    }
    try { return JSON.parse(text); } catch (e) {
      throw { code: 'INSPECTOR_BAD_JSON', message: label + ' is not valid JSON' };
    }
  }

  async function verify() {
    hideError('verify-error');
    byId('result').hidden = true;
    var token = byId('token').value.trim();
    if (current === null || currentToken !== token) {
      if (!(await inspect())) return;
    }
    var body;
    try {
      body = { token: token, anchors: jsonField('anchors', 'trust anchors'), audience: byId('audience').value.trim() };
      var action = { resource: byId('resource').value.trim(), action: byId('action').value.trim() };
      var args = jsonField('args', 'arguments', true);
      if (args !== undefined) action.args = args;
      body.action = action;
      var proof = byId('proof').value.trim();
      if (proof !== '') body.proof = proof;
      var request = jsonField('request', 'request', true);
      if (request !== undefined) body.request = request;
      var now = byId('now').value.trim();
      if (now !== '') {
        if (!/^[0-9]{1,12}$/.test(now)) throw { code: 'INSPECTOR_BAD_REQUEST', message: 'now must be whole seconds since the epoch' };
        body.now = Number(now);
      }
    } catch (e) {
      showError('verify-error', e);
      return;
    }
    var r = await post('/api/verify', body);
    if (!r.ok) { showError('verify-error', r.error); return; }
    renderDecision(r.data);
  }

  function renderDecision(result) {
    var d = result.decision;
    var status = byId('result-status');
    status.textContent = d.allowed ? 'allowed' : 'denied';
    status.className = d.allowed ? 'allowed' : 'denied';
    byId('denial').hidden = d.allowed;
    byId('grant').hidden = !d.allowed;
    if (d.allowed) {
      highlight(null);
      byId('grant-subject').textContent = d.subject;
      var chain = byId('grant-chain');
      clear(chain);
      d.chain.forEach(function (p) { chain.appendChild(el('li', p, 'mono')); });
      var caps = byId('grant-caps');
      clear(caps);
      d.capabilities.forEach(function (c) { caps.appendChild(el('li', describeCap(c), 'mono')); });
    } else {
      byId('decision-code').textContent = d.code;
      byId('decision-check').textContent = d.check;
      byId('decision-hop').textContent = String(d.hop) + (d.hop === 0 ? ' (root)' : '');
      byId('decision-reason').textContent = d.reason;
      highlight(d.hop);
    }
    var notes = byId('verify-notes');
    clear(notes);
    result.notes.forEach(function (n) { notes.appendChild(el('li', n)); });
    byId('possession').textContent = result.possessionChecked ? 'checked' : 'NOT checked';
    byId('result').hidden = false;
  }

  byId('inspect').addEventListener('click', function () { void inspect(); });
  byId('verify').addEventListener('click', function () { void verify(); });
  document.documentElement.dataset.ready = 'true';
})();
`;

const BODY = `
<header>
  <h1>Mandate Inspector</h1>
  <p class="muted">Served from 127.0.0.1 only; nothing you paste leaves this machine.</p>
</header>
<main>
  <section>
    <h2>1. Paste a mandate</h2>
    <label for="token">Token (JWS chain, AAT chain or Biscuit)</label>
    <textarea id="token" spellcheck="false" autocomplete="off"></textarea>
    <button id="inspect" type="button">Inspect</button>
    <div id="error" class="error" role="alert" hidden></div>
  </section>
  <section id="view" hidden>
    <p id="unverified" class="banner"></p>
    <p>format <span id="format" class="code"></span> · originating user <span id="subject" class="mono"></span></p>
    <p>root issuer (the trust anchor id to configure): <span id="root-issuer" class="mono"></span><br>
       last holder: <span id="last-holder" class="mono"></span></p>
    <h2>Who delegated to whom</h2>
    <ol id="timeline" class="timeline"></ol>
    <h2>What each hop holds</h2>
    <table id="hops">
      <thead><tr><th>hop</th><th>from → to</th><th>capabilities</th><th>narrowed relative to parent</th><th>caveats</th><th>block id</th></tr></thead>
      <tbody id="hops-body"></tbody>
    </table>
  </section>
  <section>
    <h2>2. Would a request be allowed?</h2>
    <div class="grid">
      <div>
        <label for="anchors">Trust anchors (JSON: [{"id", "publicJwk"}])</label>
        <textarea id="anchors" spellcheck="false" placeholder='[{"id": "https://as.example", "publicJwk": {"kty": "OKP", "crv": "Ed25519", "x": "..."}}]'></textarea>
        <label for="audience">Audience (the verifier's own identity)</label>
        <input id="audience" spellcheck="false">
        <label for="resource">Resource</label>
        <input id="resource" spellcheck="false" placeholder="billing:invoices/2026-03">
        <label for="action">Action</label>
        <input id="action" spellcheck="false" placeholder="pay">
        <label for="args">Arguments (JSON object, optional)</label>
        <textarea id="args" spellcheck="false" placeholder='{"amount": 120}'></textarea>
      </div>
      <div>
        <label for="proof">Proof of possession (optional: DPoP or invocation proof)</label>
        <textarea id="proof" spellcheck="false"></textarea>
        <label for="request">Request the proof is bound to (JSON, with a proof)</label>
        <textarea id="request" spellcheck="false" placeholder='{"method": "POST", "url": "https://payments.example/pay"}'></textarea>
        <label for="now">Now (seconds since the epoch, optional)</label>
        <input id="now" spellcheck="false" inputmode="numeric">
      </div>
    </div>
    <button id="verify" type="button">Verify</button>
    <div id="verify-error" class="error" role="alert" hidden></div>
    <div id="result" hidden aria-live="polite">
      <p>Decision: <span id="result-status"></span> · possession <span id="possession" class="code"></span></p>
      <div id="denial" hidden>
        <p>code <span id="decision-code" class="code"></span> · rule <span id="decision-check" class="code"></span>
           · hop <span id="decision-hop" class="code"></span></p>
        <p id="decision-reason" class="mono"></p>
      </div>
      <div id="grant" hidden>
        <p>for <span id="grant-subject" class="mono"></span>, through:</p>
        <ol id="grant-chain"></ol>
        <p>effective capabilities:</p>
        <ul id="grant-caps"></ul>
      </div>
      <ul id="verify-notes" class="notes muted"></ul>
    </div>
  </section>
</main>
`;

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The Content-Security-Policy the page is served with: nothing loads but the inline script
 * and style with exactly these bytes, requests go only to this server, and Trusted Types
 * make any string-to-markup sink (`innerHTML` and the like) throw.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** The Inspector page, complete (its CSS and script inline). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Mandate Inspector</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
