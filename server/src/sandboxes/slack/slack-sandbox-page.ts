import { escapeHtml } from '../../http/html.js';
import type { SlackSandboxState } from './slack-sandbox.js';

/** Block Kit rendered as plain HTML: text of sections and fields, buttons that click through the sandbox. */
function renderBlocks(
  blocks: ReadonlyArray<Record<string, unknown>>,
  where: { channel?: string; ts?: string },
): string {
  return blocks
    .map((block) => {
      const b = block as {
        type: string;
        text?: { text: string };
        fields?: Array<{ text: string }>;
        elements?: Array<{ action_id: string; value?: string; text: { text: string }; style?: string }>;
      };
      if (b.type === 'header') return `<h4>${escapeHtml(b.text?.text ?? '')}</h4>`;
      if (b.type === 'section') {
        const parts = [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)].filter(Boolean);
        return `<pre>${escapeHtml(parts.join('\n'))}</pre>`;
      }
      if (b.type === 'actions') {
        return (b.elements ?? [])
          .map(
            (e) =>
              `<button class="${e.style ?? ''}" onclick='act(${JSON.stringify({ ...where, actionId: e.action_id, value: e.value })})'>${escapeHtml(e.text.text)}</button>`,
          )
          .join(' ');
      }
      return '';
    })
    .join('\n');
}

/** The sandbox's demo page: pick a user, see channels, messages, threads, modals; click, deny with a reason, run /refund. */
export function sandboxPage(state: SlackSandboxState): string {
  const users = state.users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)} (${escapeHtml(u.email ?? 'no email')})</option>`,
    )
    .join('');
  const messages = state.messages
    .map(
      (m) =>
        `<div class="msg${m.thread_ts ? ' thread' : ''}"><small>${escapeHtml(m.channel)} · ${m.ts}${m.thread_ts ? ` · reply to ${m.thread_ts}` : ''}${m.edits ? ` · edited ${m.edits}×` : ''}</small>${m.blocks.length ? renderBlocks(m.blocks, { channel: m.channel, ts: m.ts }) : `<pre>${escapeHtml(m.text)}</pre>`}</div>`,
    )
    .join('');
  const ephemerals = state.ephemerals
    .map(
      (e) =>
        `<div class="msg eph"><small>only ${escapeHtml(e.user)} sees this</small><pre>${escapeHtml(e.text)}</pre>${renderBlocks(e.blocks, {})}</div>`,
    )
    .join('');
  const modals = state.views
    .map(
      (v) =>
        `<div class="msg"><small>modal ${escapeHtml(v.id)} for ${escapeHtml(v.user)}</small><textarea id="r-${escapeHtml(v.id)}" placeholder="reason"></textarea><button class="danger" onclick='submitView(${JSON.stringify(v.id)})'>Deny</button></div>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sandbox Slack</title>
<style>body{font:14px system-ui;margin:2em;max-width:60em}.msg{border:1px solid #ddd;border-radius:6px;padding:.5em;margin:.5em 0}.thread{margin-left:2em}.eph{background:#f6f6ff}
pre{white-space:pre-wrap;margin:.3em 0}button{margin:.2em;padding:.3em .8em}.primary{background:#007a5a;color:#fff}.danger{background:#e01e5a;color:#fff}</style></head><body>
<h1>Sandbox Slack</h1><p>Act as <select id="user">${users}</select> · <input id="cmd" placeholder="/refund queue" value="queue"><button onclick="cmd()">/refund</button> <button onclick="home()">Open App Home</button> <button onclick="location.reload()">Refresh</button></p>
<h2>Messages</h2>${messages || '<p>No messages yet.</p>'}<h2>Ephemeral</h2>${ephemerals || '<p>None.</p>'}<h2>Modals</h2>${modals || '<p>None.</p>'}
<script>
const who=()=>document.getElementById('user').value;
async function post(p,b){const r=await fetch(p,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(b)});setTimeout(()=>location.reload(),700);return r}
function act(x){post('/__sandbox/click',{...x,user:who()})}
function submitView(id){post('/__sandbox/submit',{user:who(),viewId:id,values:{reason:document.getElementById('r-'+id).value}})}
function cmd(){post('/__sandbox/command',{user:who(),text:document.getElementById('cmd').value})}
function home(){post('/__sandbox/home',{user:who()}).then(()=>fetch('/__sandbox/views'))}
</script></body></html>`;
}
