// Today's power curves and energy per day, week or month, from the history JSON-RPC methods.

import { barChart, lineChart } from '../chart.js';
import { energy, h, localDate, numberFormat } from '../format.js';

const POWER = [
  ['_sum/ProductionActivePower', 'history.production', 'var(--pv)'],
  ['_sum/ConsumptionActivePower', 'history.consumption', 'var(--home)'],
  ['_sum/GridActivePower', 'history.grid', 'var(--grid)'],
  ['_sum/EssDischargePower', 'history.battery', 'var(--battery)'],
];
const ENERGY = [
  ['_sum/ProductionActiveEnergy', 'history.production', 'var(--pv)'],
  ['_sum/ConsumptionActiveEnergy', 'history.consumption', 'var(--home)'],
  ['_sum/GridBuyActiveEnergy', 'history.gridBuy', 'var(--grid)'],
  ['_sum/GridSellActiveEnergy', 'history.gridSell', 'var(--grid-sell)'],
  ['_sum/EssDcChargeEnergy', 'history.charge', 'var(--battery)'],
  ['_sum/EssDcDischargeEnergy', 'history.discharge', 'var(--battery-out)'],
];
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function isUnavailable(error) {
  return /Unknown JSON-RPC method|has no JSON API method/.test(error.message || '');
}

function range(period, day) {
  const date = new Date(`${day}T12:00:00`);
  if (period === 'week') {
    const monday = new Date(date);
    monday.setDate(date.getDate() - ((date.getDay() + 6) % 7));
    const sunday = new Date(monday);
    sunday.setDate(monday.getDate() + 6);
    return [localDate(monday), localDate(sunday)];
  }
  if (period === 'month') {
    const first = new Date(date.getFullYear(), date.getMonth(), 1, 12);
    const last = new Date(date.getFullYear(), date.getMonth() + 1, 0, 12);
    return [localDate(first), localDate(last)];
  }
  return [day, day];
}

export function mount(app, root) {
  const t = app.t;
  let period = 'day';
  let day = localDate(new Date());
  let generation = 0;

  // the browser draws a date field in its own locale; the page's language decides what is shown,
  // and the (transparent) native field on top still opens the browser's calendar
  const picker = h('input', { type: 'date', value: day, 'data-testid': 'history-date', max: localDate(new Date()), 'aria-label': t('history.date') });
  const shownDate = h('span', { class: 'date-shown', 'data-testid': 'history-date-shown' });
  const showDate = () => {
    shownDate.textContent = new Date(`${day}T12:00:00`).toLocaleDateString(app.lang, { weekday: 'short', day: 'numeric', month: '2-digit', year: 'numeric' });
  };
  showDate();
  const periods = ['day', 'week', 'month'].map((name) =>
    h('button', { type: 'button', 'data-period': name, class: name === period ? 'active' : '' }, t(`history.${name}`)));
  const status = h('p', { class: 'banner warn', 'data-testid': 'history-unavailable', hidden: true }, t('history.unavailable'));
  const powerTitle = h('h2', {}, t('history.today'));
  const cards = [];
  const powerBox = h('div', { class: 'chart-box', 'data-testid': 'history-power' });
  const energyBox = h('div', { class: 'chart-box', 'data-testid': 'history-energy' });
  const totals = h('dl', { class: 'totals', 'data-testid': 'history-totals' });

  cards.push(
    h('div', { class: 'card' }, powerTitle, powerBox),
    h('div', { class: 'card' }, h('h2', {}, t('history.energy')), totals, energyBox),
  );
  root.append(h('section', { class: 'history-view' },
    h('div', { class: 'toolbar' },
      h('label', {}, h('span', {}, t('history.date')), h('span', { class: 'date-field' }, shownDate, picker)),
      h('div', { class: 'segmented', role: 'group' }, periods)),
    status,
    ...cards));

  const fail = (box, error) => {
    if (isUnavailable(error)) {
      status.hidden = false;
      for (const card of cards) card.hidden = true;
    } else {
      box.replaceChildren(h('p', { class: 'error' }, error.message));
    }
  };

  // the power chart covers the chosen period: a day in 5-minute steps, a week hourly, a month in 6 h
  const STEP_MINUTES = { day: 5, week: 60, month: 360 };

  function powerTitleFor(fromDate, toDate) {
    const date = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString(app.lang);
    if (period === 'week') return t('history.powerWeek', { from: date(fromDate), to: date(toDate) });
    if (period === 'month') {
      const month = new Date(`${fromDate}T12:00:00`).toLocaleDateString(app.lang, { month: 'long', year: 'numeric' });
      return t('history.powerMonth', { month });
    }
    return day === localDate(new Date()) ? t('history.today') : t('history.powerOn', { date: date(day) });
  }

  async function loadPower(mine) {
    const [fromDate, toDate] = range(period, day);
    powerTitle.textContent = powerTitleFor(fromDate, toDate);
    powerBox.replaceChildren(h('p', { class: 'muted' }, t('history.loading')));
    try {
      const result = await app.socket.edge('queryHistoricTimeseriesData', {
        fromDate, toDate, timezone: ZONE, channels: POWER.map((p) => p[0]),
        resolution: { value: STEP_MINUTES[period], unit: 'Minutes' },
      });
      if (mine !== generation) return;
      if (!result.timestamps || result.timestamps.length === 0) {
        powerBox.replaceChildren(h('p', { class: 'muted' }, t('history.empty')));
        return;
      }
      powerBox.replaceChildren(lineChart({
        timestamps: result.timestamps,
        series: POWER.map(([address, label, color]) => ({ label: t(label), color, values: result.data[address] || [] })),
        lang: app.lang,
      }));
    } catch (error) {
      if (mine === generation) fail(powerBox, error);
    }
  }

  async function loadEnergy(mine) {
    const [fromDate, toDate] = range(period, day);
    const channels = ENERGY.map((e) => e[0]);
    energyBox.replaceChildren();
    totals.replaceChildren(h('p', { class: 'muted' }, t('history.loading')));
    try {
      const sums = await app.socket.edge('queryHistoricTimeseriesEnergy', { fromDate, toDate, timezone: ZONE, channels });
      if (mine !== generation) return;
      // a counter that restarted inside the range can make a difference negative: not a figure
      const data = Object.fromEntries(Object.entries(sums.data || {})
        .map(([address, value]) => [address, typeof value === 'number' && value >= 0 ? value : null]));
      const rows = ENERGY.map(([address, label, color]) => h('div', { style: `border-left-color:${color}` },
        h('dt', {}, t(label)), h('dd', { 'data-address': address }, energy(app.lang, data[address]))));
      const buy = data['_sum/GridBuyActiveEnergy'];
      const consumption = data['_sum/ConsumptionActiveEnergy'];
      if (consumption > 0 && buy !== null && buy !== undefined) {
        const autarchy = Math.max(0, Math.min(100, 100 * (1 - buy / consumption)));
        rows.push(h('div', {}, h('dt', {}, t('history.autarchy')), h('dd', {}, `${numberFormat(app.lang).format(autarchy)} %`)));
      }
      totals.replaceChildren(...rows);
      if (period === 'day') return;
      const perDay = await app.socket.edge('queryHistoricTimeseriesEnergyPerPeriod', {
        fromDate, toDate, timezone: ZONE, channels, resolution: { value: 1, unit: 'Days' },
      });
      if (mine !== generation) return;
      const labelOf = new Intl.DateTimeFormat(app.lang, period === 'week' ? { weekday: 'short' } : { day: 'numeric' });
      energyBox.replaceChildren(barChart({
        labels: perDay.timestamps.map((stamp) => labelOf.format(new Date(stamp))),
        series: ENERGY.slice(0, 4).map(([address, label, color]) => ({ label: t(label), color, values: perDay.data[address] || [] })),
        lang: app.lang,
      }));
    } catch (error) {
      if (mine === generation) {
        totals.replaceChildren();
        fail(energyBox, error);
      }
    }
  }

  function load() {
    generation += 1;
    status.hidden = true;
    for (const card of cards) card.hidden = false;
    loadPower(generation);
    loadEnergy(generation);
  }

  picker.addEventListener('change', () => {
    if (picker.value) {
      day = picker.value;
      showDate();
      load();
    }
  });
  for (const button of periods) {
    button.addEventListener('click', () => {
      period = button.dataset.period;
      for (const other of periods) other.classList.toggle('active', other === button);
      load();
    });
  }
  load();
  return {
    destroy() {
      generation += 1;
    },
  };
}
