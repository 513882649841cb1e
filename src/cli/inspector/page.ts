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

/**
 * The page's colours, one place: the style uses them and the accessibility test checks every
 * text/background pair at WCAG AA (4.5:1). Light only: a dark scheme would need its own pairs.
 */
export const COLORS = {
  text: '#1f2328',
  background: '#ffffff',
  ok: '#1a7f37',
  bad: '#b3261e',
  muted: '#59636e',
  highlight: '#fff1c2',
  panel: '#f6f8fa',
  link: '#0550ae',
} as const;

/** Text/background pairs the page uses, for the contrast check. */
export const COLOR_PAIRS: readonly (readonly [keyof typeof COLORS, keyof typeof COLORS])[] = [
  ['text', 'background'],
  ['muted', 'background'],
  ['ok', 'background'],
  ['bad', 'background'],
  ['text', 'highlight'],
  ['bad', 'highlight'],
  ['muted', 'highlight'],
  ['text', 'panel'],
  ['muted', 'panel'],
  ['bad', 'panel'],
  ['link', 'background'],
];

const C = COLORS;

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; color: ${C.text}; background: ${C.background}; }
h1 { font-size: 1.4rem; margin: 0.2rem 0; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
h3 { font-size: 1rem; margin: 0 0 0.3rem; }
textarea, input { font: 12px/1.4 ui-monospace, monospace; width: 100%; box-sizing: border-box; color: ${C.text}; background: ${C.background}; border: 1px solid ${C.muted}; }
textarea { min-height: 5.5rem; }
::placeholder { color: ${C.muted}; opacity: 1; }
label { display: block; margin: 0.5rem 0 0.15rem; font-weight: 600; }
button { font: inherit; padding: 0.35rem 1rem; margin-top: 0.6rem; cursor: pointer; color: ${C.text}; background: ${C.panel}; border: 1px solid ${C.muted}; border-radius: 4px; }
button.copy { padding: 0 0.35rem; margin: 0 0 0 0.2rem; font-size: 11px; vertical-align: middle; }
:focus-visible { outline: 3px solid ${C.link}; outline-offset: 2px; }
.bar { display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; align-items: baseline; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.2rem; }
@media (max-width: 800px) { .grid { grid-template-columns: 1fr; } body { padding: 0.6rem 0.8rem 2rem; } }
.muted { color: ${C.muted}; }
.banner { border: 2px solid ${C.bad}; padding: 0.4rem 0.7rem; margin: 0.6rem 0; font-weight: 600; }
.error { border-left: 4px solid ${C.bad}; padding: 0.4rem 0.7rem; margin: 0.6rem 0; background: ${C.panel}; }
.guess { font-weight: 700; color: ${C.bad}; margin: 0 0 0.3rem; }
.code { font-family: ui-monospace, monospace; font-weight: 700; }
.mono { font-family: ui-monospace, monospace; font-size: 12px; }
.party { display: inline-block; max-width: 16rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; font-weight: 600; }
.id { display: inline-block; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; font-family: ui-monospace, monospace; font-size: 12px; }
pre { font: 12px/1.4 ui-monospace, monospace; background: ${C.panel}; padding: 0.4rem 0.6rem; margin: 0.3rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.hops { list-style: none; padding: 0; margin: 0; }
li.hop { border: 1px solid ${C.muted}; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.6rem 0; }
li.hop.failed { background: ${C.highlight}; border: 2px solid ${C.bad}; border-left-width: 6px; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.2rem; }
@media (max-width: 800px) { .facts { grid-template-columns: 1fr; } }
.verdict { margin: 0.5rem 0 0; padding: 0.4rem 0.6rem; border: 2px solid ${C.bad}; background: ${C.background}; }
ol.timeline { padding-left: 1.2rem; }
ol.timeline li { margin: 0.15rem 0; }
ol.timeline li.failed { background: ${C.highlight}; }
ul.notes { margin: 0.2rem 0; padding-left: 1.1rem; }
li.widened { color: ${C.bad}; font-weight: 700; }
li.same { color: ${C.muted}; }
details summary { cursor: pointer; color: ${C.link}; }
ul.approvals li, ol.presented li { margin: 0.3rem 0; }
ol.presented li[data-outcome="refused"] { border-left: 4px solid ${C.bad}; padding-left: 0.4rem; }
.met { color: ${C.ok}; }
.unmet { color: ${C.bad}; }
.allowed { color: ${C.ok}; font-weight: 700; font-size: 1.15rem; }
.denied { color: ${C.bad}; font-weight: 700; font-size: 1.15rem; }
[hidden] { display: none !important; }
`;

const SCRIPT = `
'use strict';
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var current = null; // the last decoded view, and the token it was decoded from
  var currentToken = null;
  var names = {}; // display names by principal id, from a loaded example
  var example = null;

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
  // A party: its name or short label, the full id on hover and a button that copies it.
  function party(id, label) {
    var wrap = el('span', null, 'party-wrap');
    var name = el('span', Object.prototype.hasOwnProperty.call(names, id) ? names[id] : label, 'party');
    name.title = id;
    name.dataset.id = id;
    wrap.appendChild(name);
    var copy = el('button', 'copy', 'copy');
    copy.type = 'button';
    copy.setAttribute('aria-label', 'copy the full id ' + id);
    copy.title = 'copy ' + id;
    copy.addEventListener('click', function () {
      if (navigator.clipboard) navigator.clipboard.writeText(id).then(function () { copy.textContent = 'copied'; }, function () { copy.textContent = 'copy failed'; });
    });
    wrap.appendChild(copy);
    return wrap;
  }
  function showError(where, err, guess) {
    var box = byId(where);
    clear(box);
    if (guess) box.appendChild(el('p', guess.text, 'guess'));
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
      return { ok: false, error: (data && data.error) || { code: 'INSPECTOR_HTTP_' + res.status, message: 'the request failed' }, guess: data && data.guess };
    }
    return { ok: true, data: data };
  }

  function rawBlock(title, value) {
    var d = el('details', null, 'raw');
    d.appendChild(el('summary', title));
    d.appendChild(el('pre', JSON.stringify(value, null, 2)));
    return d;
  }

  // An approver: a key as a party (name, hover, copy); the user keyword as its label.
  function approver(a) {
    return a.id === 'user' ? el('span', a.label, 'party') : party(a.id, a.label);
  }
  // A requirement's sentence with its approvers' names, where an example gave them.
  function named(text, approvers) {
    approvers.forEach(function (a) {
      if (Object.prototype.hasOwnProperty.call(names, a.id)) text = text.split(a.label).join(names[a.id]);
    });
    return text;
  }
  function requirementList(requirements) {
    var wrap = el('div', null, 'requirements');
    wrap.appendChild(el('strong', 'approvals its calls need'));
    var list = el('ul', null, 'notes approvals');
    requirements.forEach(function (r) {
      var li = el('li', null, 'requirement');
      li.dataset.origin = r.origin;
      li.appendChild(el('span', named(r.text, r.approvers), 'requirement-text'));
      li.appendChild(el('span', ' (' + r.originText + ')', 'origin muted'));
      var who = el('div', 'approvers: ', 'approvers');
      r.approvers.forEach(function (a) { who.appendChild(approver(a)); });
      li.appendChild(who);
      list.appendChild(li);
    });
    wrap.appendChild(list);
    return wrap;
  }
  function renderApprovals(report) {
    var box = byId('approval-report');
    clear(box);
    if (!report) { box.hidden = true; return; }
    box.appendChild(el('h3', 'Approvals'));
    box.appendChild(el('p', report.summary, 'approval-summary'));
    var reqs = el('ul', null, 'notes applying');
    report.applying.forEach(function (r) {
      var li = el('li', null, 'applying');
      li.dataset.hop = String(r.hop);
      li.dataset.status = r.status;
      li.appendChild(el('strong', r.status + ': ', r.status === 'met' ? 'met' : 'unmet'));
      li.appendChild(document.createTextNode('hop ' + r.hop + ', requirement ' + r.index + ': ' + named(r.text, r.approvers)));
      if (typeof r.missing === 'number') li.appendChild(document.createTextNode('; ' + r.missing + ' more needed'));
      if (r.approvedBy.length > 0) {
        var by = el('div', 'approved by: ');
        r.approvedBy.forEach(function (a) { by.appendChild(approver(a)); });
        li.appendChild(by);
      }
      reqs.appendChild(li);
    });
    box.appendChild(reqs);
    var list = el('ol', null, 'presented');
    report.approvals.forEach(function (a) {
      var li = el('li', null, 'approval');
      li.dataset.index = String(a.index);
      li.dataset.outcome = a.outcome;
      var head = el('div', null, 'approval-head');
      head.appendChild(el('strong', 'approval ' + a.index + (a.approver ? ' by ' : '')));
      if (a.approver) head.appendChild(approver(a.approver));
      li.appendChild(head);
      if (a.call) li.appendChild(el('div', 'approves: ' + a.call.text, 'approval-call'));
      if (typeof a.expiresAt === 'number') {
        li.appendChild(el('div', 'expires: ' + iso(a.expiresAt) + (a.expiresIn <= 0 ? ' (expired ' + (-a.expiresIn) + ' s ago)' : ' (in ' + a.expiresIn + ' s)'), 'approval-expiry'));
      }
      li.appendChild(el('div', 'signature: ' + (a.signature === 'valid' ? 'verifies' : a.signature === 'invalid' ? 'does NOT verify' : 'not checked (the approval does not parse)'), 'approval-signature'));
      if (a.readError) {
        var bad = el('div', null, 'approval-read-error');
        bad.appendChild(el('span', a.readError.code, 'code'));
        bad.appendChild(document.createTextNode(': ' + a.readError.message));
        li.appendChild(bad);
      }
      var out = el('div', null, 'approval-outcome');
      if (a.error) out.appendChild(el('span', a.error.code + ' ', 'code'));
      out.appendChild(document.createTextNode(a.text));
      li.appendChild(out);
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function renderView(view) {
    byId('unverified').textContent = view.notice;
    byId('view').hidden = false;
    byId('format').textContent = view.format;
    byId('subject').textContent = view.subject;
    var first = view.hops[0];
    var last = view.hops[view.hops.length - 1];
    clear(byId('root-issuer'));
    clear(byId('last-holder'));
    if (first) byId('root-issuer').appendChild(party(first.from, first.fromLabel));
    if (last) byId('last-holder').appendChild(party(last.to, last.toLabel));

    var timeline = byId('timeline');
    clear(timeline);
    if (first) {
      var anchor = el('li');
      anchor.appendChild(el('strong', 'anchor '));
      anchor.appendChild(party(first.from, first.fromLabel));
      timeline.appendChild(anchor);
    }
    view.hops.forEach(function (h) {
      var li = el('li');
      li.dataset.hop = String(h.hop);
      li.appendChild(el('strong', 'holder ' + h.hop + ' '));
      li.appendChild(party(h.to, h.toLabel));
      timeline.appendChild(li);
    });

    var list = byId('hops');
    clear(list);
    view.hops.forEach(function (h) {
      var card = el('li', null, 'hop');
      card.dataset.hop = String(h.hop);
      var head = el('h3');
      head.appendChild(document.createTextNode('hop ' + h.hop + (h.kind === 'root' ? ' (root): ' : ': ')));
      var from = el('span', null, 'from'); from.appendChild(party(h.from, h.fromLabel));
      var to = el('span', null, 'to'); to.appendChild(party(h.to, h.toLabel));
      head.appendChild(from);
      head.appendChild(document.createTextNode(' → '));
      head.appendChild(to);
      card.appendChild(head);

      var facts = el('div', null, 'facts');
      var left = el('div');
      left.appendChild(el('strong', 'holds'));
      var capList = el('ul', null, 'notes caps');
      if (h.capabilityText.length === 0) capList.appendChild(el('li', 'no capabilities', 'same'));
      h.capabilityText.forEach(function (c) { capList.appendChild(el('li', c)); });
      left.appendChild(capList);
      left.appendChild(el('strong', 'compared with its parent'));
      var notes = el('ul', null, 'notes narrowing');
      if (h.kind === 'root') notes.appendChild(el('li', 'the grant from the anchor', 'same'));
      h.narrowing.forEach(function (n) { notes.appendChild(el('li', n.text, n.kind)); });
      left.appendChild(notes);
      if (h.approvalRequirements.length > 0) left.appendChild(requirementList(h.approvalRequirements));
      facts.appendChild(left);

      var right = el('div', null, 'caveats');
      right.appendChild(el('div', 'subject: ' + h.subject, 'hop-subject'));
      right.appendChild(el('div', 'audience: ' + (h.audience ? h.audience.join(', ') : '(none)')));
      right.appendChild(el('div', 'expires: ' + iso(h.expiresAt)));
      if (typeof h.notBefore === 'number') right.appendChild(el('div', 'not before: ' + iso(h.notBefore)));
      right.appendChild(el('div', 'depth: ' + h.depth + ' of max ' + h.maxDepth));
      if (h.purpose !== undefined) right.appendChild(el('div', 'purpose: ' + h.purpose, 'purpose'));
      var idLine = el('div', 'block id: ');
      var id = el('span', h.id, 'id block-id'); id.title = h.id;
      idLine.appendChild(id);
      right.appendChild(idLine);
      if (h.revocationId !== undefined) {
        var rev = el('div', 'revocation id: ');
        var rid = el('span', h.revocationId, 'id revocation-id'); rid.title = h.revocationId;
        rev.appendChild(rid);
        right.appendChild(rev);
      }
      facts.appendChild(right);
      card.appendChild(facts);
      if (h.raw.header !== undefined) card.appendChild(rawBlock('raw header', h.raw.header));
      card.appendChild(rawBlock(h.raw.header !== undefined ? 'raw payload' : 'decoded block (Biscuit blocks are Datalog, not JSON)', h.raw.payload));
      list.appendChild(card);
    });
    // Counted, so a test (or a user script) can tell a fresh render from the previous one.
    document.documentElement.dataset.renders = String(Number(document.documentElement.dataset.renders || '0') + 1);
    if (!byId('audience').value && first && first.audience && first.audience.length > 0) {
      byId('audience').value = first.audience[0];
    }
  }

  function highlight(hop, d) {
    var old = document.querySelector('#hops .verdict');
    if (old) old.remove();
    var rows = document.querySelectorAll('#hops li.hop, #timeline li[data-hop]');
    rows.forEach(function (row) {
      var on = hop !== null && row.dataset.hop === String(hop);
      row.classList.toggle('failed', on);
      if (on) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
    });
    if (hop === null) return;
    var card = document.querySelector('#hops li.hop[data-hop="' + String(hop) + '"]');
    if (!card) return;
    // The verdict sits in the failing hop's card, where the eye already is.
    var v = el('div', null, 'verdict');
    v.setAttribute('role', 'status');
    v.appendChild(el('strong', 'denied here: ', 'denied'));
    v.appendChild(el('span', d.code, 'code'));
    v.appendChild(document.createTextNode(' (rule ' + d.check + ') '));
    v.appendChild(el('span', d.reason, 'verdict-reason'));
    card.appendChild(v);
    card.scrollIntoView({ block: 'center' });
  }

  async function inspect() {
    // Cleared at once, so nothing of the previous token can be read as this one's.
    hideError('error');
    byId('result').hidden = true;
    byId('view').hidden = true;
    clear(byId('hops'));
    clear(byId('timeline'));
    var token = byId('token').value.trim();
    if (example !== null && token !== example.token) { names = {}; example = null; byId('tries').hidden = true; }
    if (token === '') {
      showError('error', { code: 'INSPECTOR_BAD_REQUEST', message: 'paste a mandate first' });
      return false;
    }
    var r = await post('/api/inspect', { token: token });
    if (!r.ok) {
      current = null;
      currentToken = null;
      byId('view').hidden = true;
      showError('error', r.error, r.guess);
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
      var approvals = byId('approvals').value.split(/\\s+/).filter(function (a) { return a !== ''; });
      if (approvals.length > 0) body.approvals = approvals;
      var userKeys = jsonField('user-keys', "the user's keys", true);
      if (userKeys !== undefined) body.userKeys = userKeys;
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
      d.chain.forEach(function (p) {
        var li = el('li');
        var label = p;
        if (current) current.hops.forEach(function (h) { if (h.to === p) label = h.toLabel; if (h.from === p) label = h.fromLabel; });
        li.appendChild(party(p, label));
        chain.appendChild(li);
      });
      var caps = byId('grant-caps');
      clear(caps);
      d.capabilities.forEach(function (c) { caps.appendChild(el('li', c.actions.join(', ') + ' on ' + c.resource)); });
    } else {
      byId('decision-code').textContent = d.code;
      byId('decision-check').textContent = d.check;
      byId('decision-hop').textContent = String(d.hop) + (d.hop === 0 ? ' (root)' : '');
      byId('decision-reason').textContent = d.reason;
    }
    var notes = byId('verify-notes');
    clear(notes);
    result.notes.forEach(function (n) { notes.appendChild(el('li', n)); });
    byId('possession').textContent = result.possessionChecked ? 'checked' : 'NOT checked';
    renderApprovals(result.approvals);
    byId('result').hidden = false;
    if (!d.allowed) highlight(d.hop, d);
  }

  function fillRequest(a) {
    byId('resource').value = a.resource;
    byId('action').value = a.action;
    byId('args').value = a.args ? JSON.stringify(a.args) : '';
  }

  async function loadExample() {
    hideError('error');
    var r = await post('/api/example', {});
    if (!r.ok) { showError('error', r.error); return; }
    example = r.data;
    names = example.names;
    byId('token').value = example.token;
    byId('anchors').value = JSON.stringify(example.anchors, null, 1);
    byId('audience').value = example.audience;
    byId('proof').value = '';
    byId('request').value = '';
    byId('now').value = '';
    byId('approvals').value = '';
    byId('user-keys').value = '';
    fillRequest(example.requests.genuine);
    byId('tries').hidden = false;
    await inspect();
  }

  byId('inspect').addEventListener('click', function () { void inspect(); });
  byId('verify').addEventListener('click', function () { void verify(); });
  byId('example').addEventListener('click', function () { void loadExample(); });
  byId('try-genuine').addEventListener('click', function () { if (example) { fillRequest(example.requests.genuine); byId('approvals').value = ''; void verify(); } });
  byId('try-denied').addEventListener('click', function () { if (example) { fillRequest(example.requests.denied); byId('approvals').value = ''; void verify(); } });
  byId('try-approval').addEventListener('click', function () { if (example) { fillRequest(example.requests.needsApproval); byId('approvals').value = example.approvals.join('\\n'); void verify(); } });
  document.documentElement.dataset.ready = 'true';
})();
`;

const BODY = `
<header>
  <h1>Mandate Inspector</h1>
  <p class="muted">Served from 127.0.0.1 only; nothing you paste leaves this machine.</p>
</header>
<main>
  <section aria-labelledby="paste-h">
    <h2 id="paste-h">1. Paste a mandate</h2>
    <label for="token">Token (JWS chain, AAT chain or Biscuit)</label>
    <textarea id="token" spellcheck="false" autocomplete="off"></textarea>
    <div class="bar">
      <button id="inspect" type="button">Inspect</button>
      <button id="example" type="button">Load an example</button>
      <span class="muted">a chain minted now with fresh keys: auth server → orchestrator → billing agent</span>
    </div>
    <div id="error" class="error" role="alert" hidden></div>
  </section>
  <section id="view" hidden aria-labelledby="hops-h">
    <p id="unverified" class="banner"></p>
    <p>format <span id="format" class="code"></span> · originating user <span id="subject" class="mono"></span></p>
    <p>root issuer (the trust anchor id to configure): <span id="root-issuer"></span><br>
       last holder: <span id="last-holder"></span></p>
    <h2>Who delegated to whom</h2>
    <ol id="timeline" class="timeline"></ol>
    <h2 id="hops-h">What each hop holds</h2>
    <ol id="hops" class="hops"></ol>
  </section>
  <section aria-labelledby="verify-h">
    <h2 id="verify-h">2. Would a request be allowed?</h2>
    <div id="tries" class="bar" hidden>
      <button id="try-genuine" type="button">Try the genuine request</button>
      <button id="try-denied" type="button">Try the denied request</button>
      <button id="try-approval" type="button">Try a request that needs approval</button>
    </div>
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
        <label for="approvals">Approvals of this call (compact JWS, one per line, optional)</label>
        <textarea id="approvals" spellcheck="false" autocomplete="off"></textarea>
        <label for="user-keys">The user's registered keys (JSON: [JWK], optional: whose approval counts as the user's)</label>
        <textarea id="user-keys" spellcheck="false" placeholder='[{"kty": "OKP", "crv": "Ed25519", "x": "..."}]'></textarea>
      </div>
    </div>
    <button id="verify" type="button">Verify</button>
    <div id="verify-error" class="error" role="alert" hidden></div>
    <div id="result" hidden aria-live="polite">
      <p>Decision: <span id="result-status"></span> · possession <span id="possession" class="code"></span></p>
      <div id="denial" hidden>
        <p>code <span id="decision-code" class="code"></span> · rule <span id="decision-check" class="code"></span>
           · hop <span id="decision-hop" class="code"></span> (marked above, in its card)</p>
        <p id="decision-reason" class="mono"></p>
      </div>
      <div id="grant" hidden>
        <p>for <span id="grant-subject" class="mono"></span>, through:</p>
        <ol id="grant-chain"></ol>
        <p>effective capabilities:</p>
        <ul id="grant-caps"></ul>
      </div>
      <div id="approval-report" hidden></div>
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
