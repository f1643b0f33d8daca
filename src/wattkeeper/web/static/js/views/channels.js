// Every channel of the edge with its live value; searchable by address, unit and description.

import { h, plainValue } from '../format.js';

// a channel declared without a text still says something: its id in words (EssActivePowerL1 ->
// "Ess active power L1"), shown muted so it reads as derived, not documented
function spelledOut(address) {
  const id = address.split('/')[1] || '';
  const words = id.replace(/^_Property/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return words.charAt(0) + words.slice(1).toLowerCase().replace(/\bl([123])\b/g, 'L$1');
}

// OpenEMS marks cumulated counters with a suffix (`Wh_Σ`); people read "total"
function unitLabel(t, unit) {
  if (!unit) return '';
  return unit.endsWith('_Σ') ? `${unit.slice(0, -2)} (${t('channels.total')})` : unit;
}

const LIMIT = 200;

export function mount(app, root) {
  const t = app.t;
  const search = h('input', { type: 'search', placeholder: t('channels.search'), 'data-testid': 'channel-search', 'aria-label': t('channels.search') });
  const count = h('p', { class: 'muted', 'data-testid': 'channel-count' });
  const body = h('tbody', { 'data-testid': 'channel-rows' });
  root.append(h('section', { class: 'channels-view' },
    h('div', { class: 'toolbar' }, search), count,
    h('div', { class: 'card table-wrap' }, h('table', { class: 'channels' },
      h('thead', {}, h('tr', {}, ['address', 'value', 'unit', 'access', 'text'].map((c) => h('th', {}, t(`channels.${c}`))))),
      body))));

  let all = [];
  let cells = new Map();
  const catalogue = () => {
    all = [];
    const components = (app.config && app.config.components) || {};
    for (const id of Object.keys(components).sort()) {
      for (const [name, doc] of Object.entries(components[id].channels || {})) {
        all.push({ address: `${id}/${name}`, ...doc });
      }
    }
  };

  function render() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = all.filter((c) => {
      const haystack = `${c.address} ${c.unit} ${c.text} ${c.accessMode} ${c.type}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    });
    const shown = matches.slice(0, LIMIT);
    count.textContent = t('channels.count', { shown: shown.length, total: all.length })
      + (matches.length > LIMIT ? ` – ${t('channels.more', { limit: LIMIT })}` : '');
    cells = new Map();
    body.replaceChildren(...shown.map((c) => {
      const value = h('td', { class: 'value' }, c.accessMode === 'WO' ? '—' : '…');
      if (c.accessMode !== 'WO') cells.set(c.address, value);
      return h('tr', { 'data-address': c.address },
        h('td', {}, h('code', {}, c.address)), value, h('td', {}, unitLabel(t, c.unit)),
        h('td', {}, h('span', { class: `access ${c.accessMode}` }, c.accessMode)),
        c.text ? h('td', {}, c.text) : h('td', { class: 'muted' }, spelledOut(c.address)));
    }));
    app.subscribe('view', [...cells.keys()]);
    update();
  }

  function update() {
    for (const [address, cell] of cells) {
      if (app.live.has(address)) cell.textContent = plainValue(app.lang, app.value(address));
    }
  }

  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  });
  catalogue();
  render();
  return {
    update,
    configChanged() {
      catalogue();
      render();
    },
  };
}
