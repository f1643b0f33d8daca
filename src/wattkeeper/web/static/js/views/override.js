// Which API holds which setpoint, since when, and for how long; owners set and release here.

import { dateTime, duration, h, plainValue, power } from '../format.js';

const SETPOINTS = ['SetActivePowerEquals', 'SetActivePowerLessOrEquals', 'SetActivePowerGreaterOrEquals'];

function essIds(config) {
  const components = (config && config.components) || {};
  return Object.keys(components).filter((id) => components[id].channels && components[id].channels.SetActivePowerEquals).sort();
}

export function mount(app, root) {
  const t = app.t;
  const controller = app.restController();
  const ess = essIds(app.config);
  const firstEss = ess[0] || 'ess0';
  app.subscribe('view', [
    `${controller}/ApiWorkerLog`, `${controller}/OverrideActive`, `${controller}/OverrideRemaining`,
    `${controller}/Adjustments`,
    `${firstEss}/ActivePower`, `${firstEss}/Soc`,
  ]);
  let overrides = { writable: true, overrides: [] };
  let lastLog = null;

  const state = h('p', { class: 'banner', 'data-testid': 'override-state' });
  const countdown = h('strong', { 'data-testid': 'override-countdown' }, '–');
  const expires = h('p', { class: 'countdown' }, t('override.expires'), ' ', countdown);
  const battery = h('strong', { 'data-testid': 'override-battery', 'data-value': '' }, '–');
  // what the battery could not follow as written: the solver's adjustment, never silent
  const adjusted = h('p', { class: 'banner warn', 'data-testid': 'override-adjusted', hidden: true });
  const rows = h('tbody', { 'data-testid': 'override-rows' });
  const message = h('p', { class: 'message', role: 'status', 'data-testid': 'override-message', hidden: true });

  const address = h('select', { 'data-testid': 'override-address', 'aria-label': t('override.address') },
    ess.flatMap((id) => SETPOINTS.map((name) => h('option', { value: `${id}/${name}` }, `${id}/${name}`))));
  const value = h('input', { type: 'number', step: '100', value: '2000', inputmode: 'numeric', 'data-testid': 'override-value', 'aria-label': t('override.value') });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'override-set' }, t('override.set'));
  const readOnly = !app.canWrite();
  for (const control of [address, value, submit]) control.disabled = readOnly;
  // the edge validates: the browser's step check would silently block e.g. 2550 W
  const form = h('form', { class: 'override-form', novalidate: true },
    h('label', {}, h('span', {}, t('override.address')), address),
    h('label', {}, h('span', {}, `${t('override.value')} (W)`), value),
    submit);
  const guestNote = app.canWrite() ? null : h('p', { class: 'hint', 'data-testid': 'override-guest' }, t('override.guest'));

  root.append(h('section', { class: 'override-view' },
    h('div', { class: 'card' },
      h('h2', {}, t('override.heading')), state, expires,
      h('p', {}, t('override.battery'), ': ', battery), adjusted,
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {},
          [t('override.address'), t('override.value'), t('override.since'), t('override.by'), ''].map((c) => h('th', {}, c)))),
        rows))),
    h('div', { class: 'card' }, h('h2', {}, t('override.set')), guestNote, form, h('p', { class: 'hint' }, t('override.hint')), message)));

  const say = (text, kind) => {
    message.hidden = false;
    message.className = `message ${kind}`;
    message.textContent = text;
  };

  async function write(target, written) {
    try {
      await app.socket.edge('setOverride', { address: target, value: written });
      say(written === null ? t('override.released') : `${t('override.done')}: ${target} = ${written} W`, 'ok');
      await refresh();
    } catch (error) {
      say(`${t('override.refused')}: ${error.message}`, 'error');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = value.value.trim();
    if (text === '') {
      say(t('override.empty'), 'error'); // an empty field is not 0 W
      return;
    }
    const number = Number(text);
    write(address.value, Number.isFinite(number) ? number : text);
  });

  function render() {
    const held = overrides.overrides || [];
    if (!overrides.writable) {
      state.className = 'banner warn';
      state.replaceChildren(t('override.notInstalled'), ' ', h('a', { href: '#/apps' }, t('nav.apps'), ' →'));
    } else if (held.length) {
      state.className = 'banner active';
      const name = overrides.alias && overrides.alias !== overrides.componentId ? overrides.alias : t('override.restApi');
      state.textContent = t('override.active', { api: `${name} (${overrides.componentId})` });
    } else {
      state.className = 'banner ok';
      state.textContent = t('override.none');
    }
    rows.replaceChildren(...held.map((item) => h('tr', { 'data-address': item.address },
      h('td', {}, h('code', {}, item.address)),
      h('td', {}, `${plainValue(app.lang, item.value)} W`),
      h('td', {}, dateTime(app.lang, item.since)),
      h('td', {}, [item.role, item.remote].filter(Boolean).join(' · ')),
      h('td', {}, h('button', {
        type: 'button', class: 'small', 'data-testid': 'override-release', disabled: readOnly,
        onclick: () => write(item.address, null),
      }, t('override.release'))))));
  }

  async function refresh() {
    try {
      overrides = await app.socket.edge('getOverrides');
    } catch (error) {
      say(error.message, 'error');
    }
    render();
  }

  render();
  refresh();
  return {
    update() {
      const log = app.value(`${controller}/ApiWorkerLog`);
      if (log !== lastLog) {
        if (lastLog !== null) refresh(); // a write from anywhere: REST, websocket, expiry
        lastLog = log;
      }
      const active = app.value(`${controller}/OverrideActive`) === 1;
      const fitted = app.value(`${controller}/Adjustments`);
      adjusted.hidden = !active || !fitted;
      adjusted.textContent = fitted ? `${t('override.adjusted')}: ${fitted}` : '';
      const remaining = app.value(`${controller}/OverrideRemaining`);
      expires.hidden = !active;
      countdown.textContent = remaining === null ? t('override.never') : duration(remaining);
      countdown.dataset.seconds = remaining === null ? '' : String(remaining);
      const watts = app.value(`${firstEss}/ActivePower`);
      battery.textContent = `${power(app.lang, watts)}${watts < 0 ? ' ↓' : watts > 0 ? ' ↑' : ''} · ${plainValue(app.lang, app.value(`${firstEss}/Soc`))} %`;
      battery.dataset.value = watts === null ? '' : String(watts);
    },
  };
}
