// Stand-in for the Zendesk agent workspace and the ZAF parent frame, so the built sidebar runs
// against the Zendesk sandbox with `npm start` alone. The app frame is loaded the way Zendesk loads
// an app with signedUrls: the sandbox POSTs a token it signs with the app's private key, for the
// agent signed in here, to the app's location URL on the Refund Desk server, which answers the app
// with a session (the page never sees a key). This page then answers the real
// zendesk_app_framework_sdk's postMessage protocol (lib/client.js): the `iframe.handshake` →
// `zaf.app.registered` handshake, `get`/`invoke` calls ({id, request, params} → {id, result}),
// and `request:N` messages answered as `zaf.request:N.done` / `.fail` events (older installs'
// secure requests, signed by the sandbox's stand-in for Zendesk's proxy).

const APP_GUID = 'preview-app';
const TICKET_REFRESH_MS = 2000;
const query = new URLSearchParams(location.search);
const frame = document.getElementById('sidebar');

async function getJson(path, init) {
  const response = await fetch(path, init);
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
  return response.json();
}

function showError(message) {
  const box = document.getElementById('host-error');
  box.hidden = false;
  box.textContent = message;
}

/** ZAF's Ticket object (the slice apps commonly read) from a sandbox ticket. */
function zafTicket(ticket) {
  const requester = ticket.requester ?? {};
  return {
    id: ticket.id,
    subject: ticket.subject,
    description: ticket.description,
    status: ticket.status,
    tags: ticket.tags,
    requester: { id: requester.id, name: requester.name, email: requester.email },
    createdAt: ticket.created_at,
    updatedAt: ticket.updated_at,
  };
}

function zafUser(user) {
  return { id: user.id, name: user.name, email: user.email, role: user.role, locale: 'en-US' };
}

/** The values of `client.get(paths)`; unknown paths go to `errors` like ZAF's. */
function answerGet(paths, state) {
  const ticket = zafTicket(state.ticket);
  const known = {
    ticket,
    'ticket.id': ticket.id,
    'ticket.subject': ticket.subject,
    'ticket.tags': ticket.tags,
    'ticket.requester': ticket.requester,
    'ticket.requester.email': ticket.requester.email,
    currentUser: zafUser(state.user),
    'currentUser.id': state.user.id,
    'currentUser.email': state.user.email,
  };
  const result = { errors: {} };
  for (const path of paths) {
    if (path in known) result[path] = known[path];
    else result.errors[path] = { name: 'APIUnavailable', message: 'is not available in the preview', path };
  }
  return result;
}

/** The app frame's origin: our server's, where the signed-URL POST loaded it. */
let appOrigin = location.origin;

function postToApp(message) {
  frame.contentWindow.postMessage(JSON.stringify(message), appOrigin);
}

/** Zendesk's proxy, stood in for by the sandbox: resolves with parsed JSON like ZAF, rejects on ≥ 400. */
async function proxyRequest(options) {
  const answer = await getJson('/preview/proxy', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url: options.url,
      type: options.type ?? 'GET',
      contentType: options.contentType,
      data: options.data,
      headers: options.headers ?? {},
      jwt: options.jwt,
    }),
  });
  const isJson = /json/.test(answer.headers?.['content-type'] ?? '');
  let parsed;
  if (isJson) {
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      parsed = undefined;
    }
  }
  const xhr = { status: answer.status, statusText: String(answer.status), responseText: answer.body };
  if (answer.status >= 400)
    return { ok: false, args: [{ ...xhr, ...(parsed === undefined ? {} : { responseJSON: parsed }) }] };
  return { ok: true, args: [parsed ?? answer.body, 'success', xhr] };
}

function listenToApp(state) {
  window.addEventListener('message', async (event) => {
    if (event.source !== frame.contentWindow || event.origin !== appOrigin || typeof event.data !== 'string') return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data.key === 'iframe.handshake') {
      postToApp({ key: 'zaf.app.registered', message: { metadata: state.metadata, context: state.context } });
    } else if (typeof data.key === 'string' && /^request:\d+$/.test(data.key)) {
      let outcome;
      try {
        outcome = await proxyRequest(data.message ?? {});
      } catch (error) {
        outcome = { ok: false, args: [{ status: 0, statusText: 'error', responseText: String(error) }] };
      }
      postToApp({ key: `zaf.${data.key}.${outcome.ok ? 'done' : 'fail'}`, message: { responseArgs: outcome.args } });
    } else if (data.request === 'get') {
      postToApp({ id: data.id, result: answerGet(data.params ?? [], state) });
    } else if (data.request === 'invoke') {
      const params = data.params ?? {};
      const size = params.resize?.[0];
      if (size?.height) frame.style.height = String(size.height).endsWith('px') ? size.height : `${size.height}px`;
      postToApp({ id: data.id, result: { errors: {} } });
    } else if (data.request === 'set') {
      postToApp({ id: data.id, error: { name: 'APIUnavailable', message: 'set is not available in the preview' } });
    }
    // iframe.on:/iframe.off: subscriptions need no answer here.
  });
}

function fillSelect(select, items, selectedId, label, param) {
  for (const item of items) {
    const option = document.createElement('option');
    option.value = String(item.id);
    option.textContent = label(item);
    option.selected = String(item.id) === String(selectedId);
    select.append(option);
  }
  select.addEventListener('change', () => {
    query.set(param, select.value);
    location.search = query.toString();
  });
}

function renderTicket(ticket, usersById) {
  document.getElementById('ticket-subject').textContent = `#${ticket.id} ${ticket.subject}`;
  const requester = ticket.requester ?? {};
  document.getElementById('ticket-meta').textContent =
    `Requester: ${requester.name ?? '?'} <${requester.email ?? '?'}> · status ${ticket.status}`;
  const tags = document.getElementById('ticket-tags');
  tags.replaceChildren(
    ...ticket.tags.map((tag) => Object.assign(document.createElement('span'), { className: 'tag', textContent: tag })),
  );
  if (ticket.tags.length === 0) tags.textContent = 'none';
  const list = document.getElementById('ticket-comments');
  list.replaceChildren(
    ...(ticket.comments ?? []).map((comment) => {
      const item = document.createElement('li');
      item.className = comment.public ? 'public' : 'internal';
      const who = document.createElement('div');
      who.className = 'who';
      const author = usersById.get(comment.author_id)?.name ?? `user ${comment.author_id}`;
      who.textContent = `${comment.public ? 'Public reply' : 'Internal note'} · ${author} · ${comment.created_at}`;
      item.append(who, document.createTextNode(comment.body));
      return item;
    }),
  );
}

async function start() {
  const [settings, { users }, { tickets }] = await Promise.all([
    getJson('/preview/settings.json'),
    getJson('/__sandbox/users'),
    getJson('/__sandbox/tickets'),
  ]);
  if (!settings.server_url) showError('The sandbox does not know the Refund Desk server URL yet.');
  const agents = users.filter((u) => u.role !== 'end-user');
  if (tickets.length === 0 || agents.length === 0) {
    showError('The Zendesk sandbox has no tickets or agents yet.');
    return;
  }
  const ticketId = query.get('ticket') ?? String(tickets[0].id);
  const userId = query.get('user') ?? String((agents.find((u) => u.email.startsWith('agent@')) ?? agents[0]).id);
  const user = agents.find((u) => String(u.id) === userId);
  let { ticket } = await getJson(`/__sandbox/tickets/${encodeURIComponent(ticketId)}`);
  if (!user) throw new Error(`no agent ${userId} in the sandbox`);
  const usersById = new Map(users.map((u) => [u.id, u]));

  fillSelect(document.getElementById('ticket-select'), tickets, ticket.id, (t) => `#${t.id} ${t.subject}`, 'ticket');
  fillSelect(document.getElementById('user-select'), agents, user.id, (u) => `${u.name} <${u.email}>`, 'user');
  renderTicket(ticket, usersById);

  const state = {
    get ticket() {
      return ticket;
    },
    user,
    metadata: {
      appId: 0,
      installationId: 0,
      name: 'Refund Desk',
      version: 'preview',
      settings: { server_url: settings.server_url, org_slug: settings.org_slug, title: 'Refund Desk' },
    },
    context: {
      host: 'zendesk',
      product: 'support',
      location: 'ticket_sidebar',
      instanceGuid: APP_GUID,
      account: { subdomain: settings.subdomain },
      ticketId: ticket.id,
    },
  };
  listenToApp(state);
  if (settings.server_url) {
    appOrigin = new URL(settings.server_url).origin;
    // like Zendesk: the app's location URL is loaded with a POST of a token signed for this agent
    frame.src = `/preview/app-frame?user=${encodeURIComponent(user.id)}&app_guid=${APP_GUID}`;
  }

  document.getElementById('tag-approved').addEventListener('click', async () => {
    const result = document.getElementById('tag-result');
    try {
      await getJson(`/__sandbox/tickets/${ticket.id}/edit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ add: ['refund_approved'], userId: user.id }),
      });
      result.textContent = `Tagged refund_approved as ${user.name}.`;
    } catch (error) {
      result.textContent = String(error);
    }
  });

  setInterval(async () => {
    try {
      const previous = ticket;
      ticket = (await getJson(`/__sandbox/tickets/${ticket.id}`)).ticket;
      renderTicket(ticket, usersById);
      // Like Zendesk, tell the app when someone else (a trigger, the desk's write-back) changed the ticket.
      if (ticket.updated_at !== previous.updated_at) postToApp({ key: 'zaf.ticket.updated', message: {} });
    } catch {
      // the next refresh tries again
    }
  }, TICKET_REFRESH_MS);
}

start().catch((error) => showError(`Preview failed to start: ${error.message}`));
