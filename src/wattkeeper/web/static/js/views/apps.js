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

  // One input per app property (its name, description and default come with getApps); a
  // password is never shown back: left empty, the stored one stays.
  function settings(item, values, secretKept) {
    const inputs = [];
    const rows = (item.properties || []).map((prop) => {
      const value = values && prop.name in values ? values[prop.name] : prop.defaultValue;
      const attrs = { name: prop.name, 'data-testid': `app-prop-${prop.name}`, disabled: readOnly };
      if (prop.type === 'checkbox') Object.assign(attrs, { type: 'checkbox', checked: Boolean(value) });
      else if (prop.type === 'password') Object.assign(attrs, { type: 'password', autocomplete: 'off', placeholder: secretKept ? t('apps.secretKept') : '' });
      else if (prop.type === 'list') Object.assign(attrs, { type: 'text', value: (value || []).join(', ') });
      else Object.assign(attrs, { type: prop.type === 'number' ? 'number' : 'text', value: value ?? '' });
      const input = h('input', attrs);
      inputs.push([prop, input]);
      return h('label', { class: 'prop' }, h('span', {}, prop.name), input, prop.description ? h('small', { class: 'muted' }, prop.description) : null);
    });
    const read = () => {
      const properties = {};
      for (const [prop, input] of inputs) {
        if (prop.type === 'checkbox') properties[prop.name] = input.checked;
        else if (prop.type === 'number') properties[prop.name] = Number(input.value);
        else if (prop.type === 'list') properties[prop.name] = input.value.split(',').map((s) => s.trim()).filter(Boolean);
        else if (prop.type === 'password' && secretKept && input.value === '') continue;
        else properties[prop.name] = input.value;
      }
      return properties;
    };
    return { rows, read };
  }

  async function settingsForm(item, instanceId) {
    const result = await app.socket.component('_appManager', 'getAppInstances', { appId: item.appId });
    const instance = (result.instances || []).find((i) => i.instanceId === instanceId);
    const form = settings(item, instance ? instance.properties : {}, true);
    const save = h('button', { type: 'submit', 'data-testid': 'app-save', disabled: readOnly }, t('apps.save'));
    const element = h('form', { class: 'props' }, ...form.rows, save);
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      run('updateAppInstance', { instanceId, properties: form.read() });
    });
    return element;
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
        const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'app-remove', disabled: readOnly }, t('apps.remove'));
        remove.addEventListener('click', () => {
          if (remove.dataset.armed) run('deleteAppInstance', { instanceId });
          else {
            remove.dataset.armed = '1';
            remove.textContent = t('apps.confirmRemove');
          }
        });
        actions.append(remove);
        if ((item.properties || []).length) {
          const details = h('details', { 'data-testid': 'app-settings' }, h('summary', {}, t('apps.settings')));
          details.addEventListener('toggle', async () => {
            if (details.open && details.children.length === 1) details.append(await settingsForm(item, instanceId));
          }, { once: false });
          actions.append(details);
        }
      }
    } else if (!covered) {
      const needsKey = item.licensed && !item.hasLicence;
      const key = needsKey
        ? h('input', { placeholder: 'XXXX-XXXX-XXXX-XXXX', 'aria-label': t('apps.key'), 'data-testid': 'app-key', autocomplete: 'off', inputmode: 'numeric', disabled: readOnly })
        : null;
      const install = h('button', { type: 'submit', class: 'primary', 'data-testid': 'app-install', disabled: readOnly }, needsKey ? t('apps.redeem') : t('apps.install'));
      const props = settings(item, null, false);
      const details = props.rows.length
        ? h('details', { 'data-testid': 'app-settings' }, h('summary', {}, t('apps.settings')), h('div', { class: 'props' }, ...props.rows))
        : null;
      const form = h('form', { class: 'inline' }, details, key, install);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        run('addAppInstance', { appId: item.appId, key: key ? key.value : null, alias: '', properties: props.read() });
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
