// The monitoring UI: sign-in, navigation, the live subscription and the views.

import { EdgeSocket } from './rpc.js';
import { preferredLanguage, translatePage, translator } from './i18n.js';
import * as flow from './views/flow.js';
import * as history from './views/history.js';
import * as override from './views/override.js';
import * as apps from './views/apps.js';
import * as channels from './views/channels.js';
import * as plan from './views/plan.js';

const VIEWS = { flow, history, override, apps, channels, plan };
const ROLE_RANK = { guest: 1, owner: 2, installer: 3, admin: 4 };
const TOKEN = 'wattkeeper.token';
const $ = (id) => document.getElementById(id);

// served by a fleet backend the page is /edges/<id>/; on the edge itself it is "0"
const FLEET_EDGE = location.pathname.match(/^\/edges\/([A-Za-z0-9_-]{1,64})\//)?.[1];
function edgeId() {
  return FLEET_EDGE || '0';
}

// through a fleet backend: a way back to the user's edges, and sign-in texts for a fleet user
function fleetPage() {
  if (!FLEET_EDGE) return;
  const back = document.createElement('a');
  back.href = '/';
  back.className = 'link';
  back.dataset.i18n = 'fleet.back';
  back.dataset.testid = 'fleet-back';
  document.querySelector('.session').prepend(back);
  document.querySelector('#login-form .hint').dataset.i18n = 'login.fleetHint';
  document.querySelector('#login-form summary').dataset.i18n = 'login.fleetUsername';
  $('username').closest('details').open = true; // a fleet user always has a name
}

function translateFleet() {
  if (FLEET_EDGE) document.querySelector('#login-form h1').textContent = app.t('login.fleetHeading', { edge: FLEET_EDGE });
}

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/websocket`;
}

const app = {
  socket: new EdgeSocket(socketUrl(), edgeId()),
  lang: preferredLanguage(),
  t: null,
  user: null,
  role: null,
  config: null,
  live: new Map(),
  subscriptions: new Map(),
  current: null,
  canWrite() {
    return (ROLE_RANK[this.role] || 0) >= ROLE_RANK.owner;
  },
  value(address) {
    return this.live.has(address) ? this.live.get(address) : null;
  },
  // each part of the page names the channels it needs; the socket gets the union
  subscribe(owner, addresses) {
    this.subscriptions.set(owner, addresses);
    scheduleSubscription();
  },
  restController() {
    const components = (this.config && this.config.components) || {};
    const ids = Object.keys(components).filter((id) =>
      (components[id].factoryId || '').startsWith('Controller.Api.Rest.'));
    return ids.find((id) => components[id].factoryId.endsWith('ReadWrite')) || ids[0] || 'ctrlApiRest0';
  },
};
app.t = translator(app.lang);
window.wattkeeper = app; // for the curious, and for the browser tests

let subscriptionTimer = null;
function scheduleSubscription() {
  clearTimeout(subscriptionTimer);
  subscriptionTimer = setTimeout(sendSubscription, 20);
}

async function sendSubscription() {
  if (!app.user) return;
  const addresses = [...new Set([...app.subscriptions.values()].flat())];
  try {
    await app.socket.edge('subscribeChannels', { count: addresses.length, channels: addresses });
  } catch {
    // offline: sent again after the reconnect
  }
}

function setLanguage(lang) {
  app.lang = lang;
  app.t = translator(lang);
  document.documentElement.lang = lang;
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.classList.toggle('active', button.dataset.lang === lang);
    button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  }
  translatePage(app.t);
  translateFleet();
  renderUser();
  if (app.current) route();
}

function renderUser() {
  const badge = $('user');
  if (!app.user) return;
  const role = app.t(`role.${app.role}`);
  badge.textContent = role.startsWith(app.user.name) ? role : `${app.user.name} · ${role}`;
  badge.className = `badge role-${app.role}`;
}

async function signIn(result) {
  localStorage.setItem(TOKEN, result.token);
  app.user = result.user;
  // the role is per edge (a fleet user is owner of one home, guest of another): ask this edge's
  const listed = (result.edges || []).find((edge) => edge.id === app.socket.edgeId);
  app.role = listed ? listed.role : (await app.socket.request('getEdge', { edgeId: app.socket.edgeId })).edge.role;
  $('login').hidden = true;
  $('nav').hidden = false;
  $('user').hidden = false;
  $('logout').hidden = false;
  renderUser();
  app.config = await app.socket.edge('getEdgeConfig');
  scheduleSubscription();
  route();
}

function showLogin(message) {
  app.user = null;
  app.role = null;
  if (app.current) app.current.view.destroy?.();
  app.current = null;
  app.subscriptions.clear();
  $('view').hidden = true;
  $('view').replaceChildren();
  $('nav').hidden = true;
  $('user').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('password').focus();
}

async function login(event) {
  event.preventDefault();
  const params = { password: $('password').value };
  if ($('username').value.trim()) params.username = $('username').value.trim();
  try {
    const result = await app.socket.request('authenticateWithPassword', params);
    $('password').value = '';
    await signIn(result);
  } catch (error) {
    showLogin(`${app.t('login.failed')}: ${error.message}`);
  }
}

async function resume() {
  const token = localStorage.getItem(TOKEN);
  if (!token) return showLogin();
  try {
    await signIn(await app.socket.request('authenticateWithToken', { token }));
  } catch {
    localStorage.removeItem(TOKEN);
    showLogin();
  }
}

async function logout() {
  try {
    await app.socket.request('logout');
  } catch {
    // signed out locally either way
  }
  localStorage.removeItem(TOKEN);
  showLogin();
}

function route() {
  if (!app.user) return;
  let name = location.hash.replace(/^#\/?/, '');
  if (!VIEWS[name]) name = 'flow';
  if (app.current) app.current.view.destroy?.();
  app.subscriptions.delete('view');
  const root = $('view');
  root.replaceChildren();
  root.hidden = false;
  root.dataset.view = name;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.view === name);
  }
  app.current = { name, view: VIEWS[name].mount(app, root) };
  app.current.view.update?.();
}

app.socket.addEventListener('currentData', (event) => {
  for (const [address, value] of Object.entries(event.detail || {})) app.live.set(address, value);
  app.current?.view.update?.();
});
app.socket.addEventListener('edgeConfig', (event) => {
  app.config = event.detail;
  app.current?.view.configChanged?.();
});
app.socket.addEventListener('offline', () => {
  $('offline').hidden = false;
});
app.socket.addEventListener('reconnect', async () => {
  $('offline').hidden = true;
  if (app.user || localStorage.getItem(TOKEN)) await resume();
  else showLogin();
});

window.addEventListener('hashchange', route);
$('login-form').addEventListener('submit', login);
$('logout').addEventListener('click', logout);
for (const button of document.querySelectorAll('[data-lang]')) {
  button.addEventListener('click', () => {
    localStorage.setItem('wattkeeper.lang', button.dataset.lang);
    setLanguage(button.dataset.lang);
  });
}
fleetPage();
setLanguage(app.lang);
app.socket.open().then(resume, () => showLogin(app.t('offline')));
