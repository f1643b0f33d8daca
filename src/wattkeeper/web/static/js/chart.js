// Small SVG charts: lines over a day, grouped bars per period. No library, no canvas.

import { h, numberFormat } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 720;
const H = 260;
const PAD = { left: 52, right: 16, top: 26, bottom: 28 };

function svg(tag, attrs = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function niceStep(span) {
  const raw = span / 4;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
}

function yAxis(chart, min, max, lang, unit, scale) {
  const step = niceStep(max - min);
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step || step;
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - low) / (high - low));
  const format = numberFormat(lang, step / scale < 1 ? 1 : 0);
  for (let v = low; v <= high + step / 2; v += step) {
    chart.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: v === 0 ? 'axis zero' : 'axis' }));
    chart.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, format.format(v / scale)));
  }
  chart.append(svg('text', { x: PAD.left - 6, y: 12, class: 'tick unit', 'text-anchor': 'end' }, unit));
  return y;
}

function legend(series) {
  return h('ul', { class: 'legend' }, series.map((s) =>
    h('li', {}, h('span', { class: 'swatch', style: `background:${s.color}` }), s.label)));
}

// series: [{label, color, values}] against ISO timestamps; values in W (or in `axisUnit` × `scale`)
export function lineChart({ timestamps, series, lang, axisUnit = 'kW', scale = 1000 }) {
  const times = timestamps.map((stamp) => new Date(stamp).getTime());
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  const first = times[0];
  const step = times.length > 1 ? times[1] - times[0] : 300_000;
  const last = times[times.length - 1] + step; // the end of the last slot: a day ends at 24:00
  const x = (t) => PAD.left + ((W - PAD.left - PAD.right) * (t - first)) / (last - first || 1);
  const y = yAxis(chart, Math.min(0, ...all), Math.max(0, ...all), lang, axisUnit, scale);
  // a day is labelled by the hour; a week or a month by the day (the range starts at midnight)
  const days = last - first > 26 * 3600_000;
  const unit = days ? 86_400_000 : 3600_000;
  const label = new Intl.DateTimeFormat(lang, days ? { weekday: 'short', day: 'numeric' } : { hour: 'numeric', minute: '2-digit' });
  const spacing = Math.max(unit, Math.ceil((last - first) / 8 / unit) * unit);
  for (let t = first; t < last - spacing / 2; t += spacing) {
    chart.append(svg('line', { x1: x(t), x2: x(t), y1: PAD.top, y2: H - PAD.bottom, class: 'axis' }));
    chart.append(svg('text', { x: x(t), y: H - 8, class: 'tick', 'text-anchor': 'middle' }, label.format(new Date(t))));
  }
  for (const s of series) {
    let d = '';
    let pen = 'M';
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(times[i]).toFixed(1)} ${y(v).toFixed(1)}`;
      pen = 'L';
    });
    const path = svg('path', { d, class: 'series', fill: 'none' });
    path.style.stroke = s.color;
    chart.append(path);
    // a value between two gaps has no line: show it as a dot
    s.values.forEach((v, i) => {
      const alone = (j) => j < 0 || j >= s.values.length || s.values[j] === null || s.values[j] === undefined;
      if (v !== null && v !== undefined && alone(i - 1) && alone(i + 1)) {
        const dot = svg('circle', { cx: x(times[i]), cy: y(v), r: 3, class: 'dot' });
        dot.style.fill = s.color;
        chart.append(dot);
      }
    });
  }
  return h('figure', { class: 'chart-figure' }, chart, legend(series));
}

// groups: labels per period; series: [{label, color, values}] in Wh
export function barChart({ labels, series, lang }) {
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const y = yAxis(chart, 0, Math.max(1000, ...all), lang, 'kWh', 1000);
  const slot = (W - PAD.left - PAD.right) / Math.max(labels.length, 1);
  const bar = (slot * 0.8) / series.length;
  labels.forEach((label, i) => {
    const left = PAD.left + i * slot + slot * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] || 0;
      const rect = svg('rect', { x: left + k * bar, y: y(v), width: Math.max(bar - 1, 1), height: Math.max(y(0) - y(v), 0), class: 'bar' });
      rect.style.fill = s.color;
      chart.append(rect);
    });
    if (labels.length <= 16 || i % 2 === 0) {
      chart.append(svg('text', { x: left + slot * 0.4, y: H - 8, class: 'tick', 'text-anchor': 'middle' }, label));
    }
  });
  return h('figure', { class: 'chart-figure' }, chart, legend(series));
}
