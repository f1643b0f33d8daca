// The App Center: installed apps, redeem a licence key, remove an app.

import { h } from '../format.js';

export function mount(app, root) {
  const t = app.t;
  const list = h('div', { class: 'apps', 'data-testid': 'apps-list' });
  const message = h('p', { class: 'message', role: 'status', 'data-testid': 'apps-message', hidden: true });
  const readOnly = !app.canWrite();
  const guestNote = !readOnly ? null : h('p', { class: 'hint' }, t('apps.guest'));
  root.append(h('section', { class: 'apps-view' }, h('h2', {}, t('apps.heading')), guestNote, message, list));

  const say = (text, kind) => {
    message.hidden = false;
    message.className = `message ${kind}`;
    message.textContent = text;
  };

  async function run(method, params) {
    try {
      await app.socket.component('_appManager', method, params);
      say(t('apps.done'), 'ok');
    } catch (error) {
      say(`${t('apps.refused')}: ${error.message}`, 'error');
    }
    await load();
  }

  // One input per app property: lists as comma-separated text, numbers as numbers.
  function settings(item) {
    const props = item.properties || [];
    if (!props.length) return null;
    const values = item.values || {};
    const fields = props.map((prop) => {
      const current = prop.name in values ? values[prop.name] : prop.defaultValue;
      const text = Array.isArray(current) ? current.join(', ') : (current ?? '');
      const input = h('input', {
        name: prop.name, value: String(text), disabled: readOnly, 'data-testid': `app-prop-${prop.name}`,
        type: prop.kind === 'number' ? 'number' : 'text', autocomplete: 'off',
      });
      return h('label', { class: 'prop' }, prop.title || prop.name, input,
        prop.description ? h('small', { class: 'muted' }, prop.description) : null);
    });
    return h('details', { class: 'settings', 'data-testid': 'app-settings' }, h('summary', {}, t('apps.settings')), fields);
  }

  function collect(form, item) {
    const props = {};
    for (const prop of item.properties || []) {
      const input = form.elements.namedItem(prop.name);
      if (!input) continue;
      if (prop.kind === 'number') props[prop.name] = Number(input.value);
      else if (prop.kind === 'list') props[prop.name] = input.value.split(',').map((s) => s.trim()).filter(Boolean);
      else props[prop.name] = input.value;
    }
    return props;
  }

  function card(item) {
    const covered = !item.installed && item.includedIn;
    const badges = [
      covered
        ? h('span', { class: 'badge ok', 'data-testid': 'app-included' }, t('apps.includedIn', { app: item.includedIn }))
        : h('span', { class: `badge ${item.installed ? 'ok' : ''}` }, item.installed ? t('apps.installed') : t('apps.notInstalled')),
      item.licensed && !item.hasLicence && !item.installed ? h('span', { class: 'badge warn' }, t('apps.needsKey')) : null,
    ];
    const actions = h('div', { class: 'actions' });
    if (item.installed) {
      for (const instanceId of item.instanceIds || []) {
        const save = h('button', { type: 'submit', 'data-testid': 'app-save', disabled: readOnly }, t('apps.save'));
        const form = h('form', { class: 'settings-form' }, settings(item), save);
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          run('updateAppInstance', { instanceId, properties: collect(form, item) });
        });
        actions.append(form);
        const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'app-remove', disabled: readOnly }, t('apps.remove'));
        remove.addEventListener('click', () => {
          if (remove.dataset.armed) run('deleteAppInstance', { instanceId });
          else {
            remove.dataset.armed = '1';
            remove.textContent = t('apps.confirmRemove');
          }
        });
        actions.append(remove);
      }
    } else if (!covered) {
      const needsKey = item.licensed && !item.hasLicence;
      const key = needsKey
        ? h('input', { placeholder: 'XXXX-XXXX-XXXX-XXXX', 'aria-label': t('apps.key'), 'data-testid': 'app-key', autocomplete: 'off', inputmode: 'numeric', disabled: readOnly })
        : null;
      const install = h('button', { type: 'submit', class: 'primary', 'data-testid': 'app-install', disabled: readOnly }, needsKey ? t('apps.redeem') : t('apps.install'));
      const form = h('form', { class: 'inline' }, settings(item), key, install);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const properties = collect(form, item);
        run('addAppInstance', { appId: item.appId, key: key ? key.value : null, alias: '', properties });
      });
      actions.append(form);
    }
    return h('article', { class: 'card app', 'data-app': item.appId },
      h('header', {}, h('h3', {}, item.name), badges),
      h('p', { class: 'muted' }, h('code', {}, item.appId)),
      h('p', {}, item.description || ''),
      actions);
  }

  async function load() {
    try {
      const result = await app.socket.component('_appManager', 'getApps');
      list.replaceChildren(...result.apps.map(card));
    } catch (error) {
      list.replaceChildren(h('p', { class: 'banner warn', 'data-testid': 'apps-unavailable' },
        t('apps.unavailable'), ' (', error.message, ')'));
    }
  }
  load();
  return {};
}
