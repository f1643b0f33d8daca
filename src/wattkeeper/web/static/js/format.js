// Numbers, powers, energies and durations in the reader's language.

export function numberFormat(lang, digits = 0) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function power(lang, watts) {
  if (watts === null || watts === undefined || Number.isNaN(watts)) return '–';
  const abs = Math.abs(watts);
  if (abs >= 1000) return `${numberFormat(lang, 2).format(abs / 1000)} kW`;
  return `${numberFormat(lang).format(abs)} W`;
}

export function energy(lang, wattHours) {
  if (wattHours === null || wattHours === undefined) return '–';
  if (Math.abs(wattHours) >= 1000) return `${numberFormat(lang, 1).format(wattHours / 1000)} kWh`;
  return `${numberFormat(lang).format(wattHours)} Wh`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function dateTime(lang, iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

export function localDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function plainValue(lang, value) {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(value);
  }
  return String(value);
}

// build DOM without innerHTML for anything that came from the edge
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}
