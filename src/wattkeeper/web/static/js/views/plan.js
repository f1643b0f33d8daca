// The time-of-use plan: price, planned and measured SoC and battery power, money saved.

import { lineChart } from '../chart.js';
import { h, numberFormat } from '../format.js';

const FACTORY = 'Controller.Ess.Time-Of-Use-Tariff';
const REFRESH_MS = 60_000;

function controllerId(app) {
  const components = (app.config && app.config.components) || {};
  return Object.keys(components).sort().find((id) => components[id].factoryId === FACTORY);
}

export function mount(app, root) {
  const t = app.t;
  const body = h('div', { 'data-testid': 'plan' });
  root.append(h('section', { class: 'plan-view' }, body));
  let timer = null;

  async function load() {
    const id = controllerId(app);
    if (!id) {
      body.replaceChildren(h('p', { class: 'muted', 'data-testid': 'plan-none' }, t('plan.none')));
      return;
    }
    const result = await app.socket.component(id, 'getSchedule');
    const entries = result.schedule || [];
    const timestamps = entries.map((e) => e.timestamp);
    // the first `measured` entries are the last hours as measured, then the plan
    const count = result.measured || 0;
    const pick = (key, measured) => entries.map((e, i) => ((i < count) === measured ? e[key] : null));
    const money = numberFormat(app.lang, 2);
    const saved = result.savedMoney ?? null;
    body.replaceChildren(
      h('p', { 'data-testid': 'plan-status' }, `${t('plan.status')}: ${result.status || ''} ${result.reason || ''}`),
      h('p', { 'data-testid': 'plan-saved' }, `${t('plan.saved')}: ${saved === null ? '–' : `${money.format(saved)} €`}`),
      h('h3', {}, t('plan.price')),
      lineChart({ timestamps, lang: app.lang, axisUnit: 'ct/kWh', scale: 10,
        series: [{ label: t('plan.price'), color: '#b5651d', values: entries.map((e) => e.price) }] }),
      h('h3', {}, t('plan.soc')),
      lineChart({ timestamps, lang: app.lang, axisUnit: '%', scale: 1, series: [
        { label: t('plan.planned'), color: '#2b6cb0', values: pick('soc', false) },
        { label: t('plan.measured'), color: '#2f855a', values: pick('soc', true) },
      ] }),
      h('h3', {}, t('plan.power')),
      lineChart({ timestamps, lang: app.lang, series: [
        { label: t('plan.planned'), color: '#2b6cb0', values: pick('ess', false) },
        { label: t('plan.measured'), color: '#2f855a', values: pick('ess', true) },
        { label: t('plan.grid'), color: '#718096', values: pick('grid', false) },
      ] }),
    );
  }

  const refresh = () => load().catch((error) => body.replaceChildren(h('p', { class: 'error' }, error.message)));
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
  return {
    configChanged: refresh,
    destroy() {
      clearInterval(timer);
    },
  };
}
