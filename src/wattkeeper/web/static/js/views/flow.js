// Live energy flow: PV, grid, battery and home around one hub, from `_sum/*` every cycle.

import { h, numberFormat, power } from '../format.js';

const SVG = 'http://www.w3.org/2000/svg';
const CHANNELS = [
  '_sum/ProductionActivePower',
  '_sum/GridActivePower',
  '_sum/EssDischargePower',
  '_sum/EssSoc',
  '_sum/ConsumptionActivePower',
];
const HUB = [200, 205];
const NODES = {
  pv: { at: [200, 58], color: 'var(--pv)' },
  grid: { at: [58, 205], color: 'var(--grid)' },
  home: { at: [342, 205], color: 'var(--home)' },
  battery: { at: [200, 352], color: 'var(--battery)' },
};
const ICONS = {
  pv: 'M0-13a13 13 0 1 0 .01 0M0-24v5M0 19v5M-24 0h5M19 0h5M-17-17l3.5 3.5M13.5 13.5 17 17M-17 17l3.5-3.5M13.5-13.5 17-17',
  grid: 'M-10 22-4-20h8l6 42M-14-8h28M-18 4h36M-5 0 5 12M5 0-5 12',
  home: 'M-20 2 0-18 20 2M-14-4v24h28v-24M-5 20v-11h10v11',
  battery: 'M-11-20h22v40h-22zM-5-24h10',
};

function svg(tag, attrs = {}) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  return element;
}

export function mount(app, root) {
  const t = app.t;
  app.subscribe('view', [...CHANNELS, `${app.restController()}/OverrideActive`]);

  const drawing = svg('svg', { viewBox: '0 0 400 430', class: 'flow', role: 'img' });
  const lines = {};
  const labels = {};
  for (const [name, node] of Object.entries(NODES)) {
    const [x, y] = node.at;
    const [from, to] = name === 'home' ? [HUB, node.at] : [node.at, HUB];
    const line = svg('line', { x1: from[0], y1: from[1], x2: to[0], y2: to[1], class: 'flowline' });
    line.style.stroke = node.color;
    const arrow = svg('path', { d: 'M-7-7 3 0-7 7', class: 'arrow' });
    arrow.style.stroke = node.color;
    const angle = (Math.atan2(to[1] - from[1], to[0] - from[0]) * 180) / Math.PI;
    // past the node's label, nearer the hub
    const [ax, ay] = [x + 0.62 * (HUB[0] - x), y + 0.62 * (HUB[1] - y)];
    arrow.dataset.transform = `translate(${ax} ${ay}) rotate(${angle})`;
    drawing.prepend(line, arrow);
    lines[name] = { line, arrow };
    const group = svg('g', { transform: `translate(${x} ${y})`, class: `node node-${name}` });
    group.append(svg('circle', { r: 46, class: 'node-ring' }));
    const icon = svg('path', { d: ICONS[name], class: 'icon' });
    icon.style.stroke = node.color;
    group.append(icon);
    if (name === 'battery') {
      labels.socFill = svg('rect', { x: -9, y: 18, width: 18, height: 0, class: 'soc-fill' });
      group.append(labels.socFill);
    }
    drawing.append(group);
    const text = svg('text', { x, y: y + 70, class: 'node-value' });
    drawing.append(text);
    labels[name] = text;
  }
  drawing.append(svg('circle', { cx: HUB[0], cy: HUB[1], r: 7, class: 'hub' }));

  const card = (name, testid, title) => {
    const value = h('strong', { 'data-testid': testid, 'data-value': '' }, '–');
    const detail = h('small', { 'data-testid': `${testid}-detail` }, '');
    const element = h('div', { class: `stat stat-${name}` }, h('span', {}, title), value, detail);
    return { element, value, detail };
  };
  const stats = {
    pv: card('pv', 'flow-pv', t('flow.pv')),
    grid: card('grid', 'flow-grid', t('flow.grid')),
    battery: card('battery', 'flow-battery', t('flow.battery')),
    soc: card('battery', 'flow-soc', t('flow.soc')),
    home: card('home', 'flow-home', t('flow.home')),
  };
  const notice = h('p', { class: 'banner info', hidden: true, 'data-testid': 'flow-override' },
    t('flow.overrideActive'), ' ', h('a', { href: '#/override' }, t('nav.override'), ' →'));

  root.append(
    h('section', { class: 'flow-view' },
      notice,
      h('div', { class: 'card flow-card' }, drawing),
      h('div', { class: 'stats' }, Object.values(stats).map((s) => s.element))),
  );

  const show = (stat, watts, detail) => {
    stat.value.textContent = power(app.lang, watts);
    stat.value.dataset.value = watts === null ? '' : String(watts);
    stat.detail.textContent = detail;
  };
  const animate = (name, watts, forward) => {
    const { line, arrow } = lines[name];
    const active = watts !== null && Math.abs(watts) >= 10;
    line.classList.toggle('active', active);
    line.classList.toggle('reverse', active && !forward);
    line.style.strokeWidth = active ? String(2 + Math.min(Math.abs(watts) / 1000, 6)) : '2';
    arrow.classList.toggle('active', active);
    arrow.setAttribute('transform', `${arrow.dataset.transform}${forward ? '' : ' rotate(180)'}`);
  };

  return {
    update() {
      const pv = app.value('_sum/ProductionActivePower');
      const grid = app.value('_sum/GridActivePower');
      const battery = app.value('_sum/EssDischargePower');
      const soc = app.value('_sum/EssSoc');
      const home = app.value('_sum/ConsumptionActivePower');
      show(stats.pv, pv, t('flow.production'));
      show(stats.grid, grid, grid === null ? '' : grid > 0 ? t('flow.buy') : grid < 0 ? t('flow.feedIn') : t('flow.idle'));
      show(stats.battery, battery,
        battery === null ? '' : battery > 0 ? t('flow.discharge') : battery < 0 ? t('flow.charge') : t('flow.idle'));
      show(stats.home, home, t('flow.consumption'));
      stats.soc.value.textContent = soc === null ? '–' : `${numberFormat(app.lang).format(soc)} %`;
      stats.soc.value.dataset.value = soc === null ? '' : String(soc);
      labels.pv.textContent = power(app.lang, pv);
      labels.grid.textContent = power(app.lang, grid);
      labels.home.textContent = power(app.lang, home);
      labels.battery.textContent = soc === null ? power(app.lang, battery) : `${power(app.lang, battery)} · ${soc} %`;
      labels.socFill.setAttribute('height', String(((soc || 0) / 100) * 36));
      labels.socFill.setAttribute('y', String(18 - ((soc || 0) / 100) * 36));
      animate('pv', pv, true);
      animate('grid', grid, grid > 0);
      animate('battery', battery, battery > 0);
      animate('home', home, true);
      notice.hidden = app.value(`${app.restController()}/OverrideActive`) !== 1;
    },
  };
}
