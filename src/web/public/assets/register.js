/* global location */
import { ApiError, api } from './api.js';
import {
  busy,
  byId,
  clearFieldErrors,
  debounce,
  el,
  options,
  showError,
  showFieldErrors,
  showMessage,
} from './dom.js';
import { FIELDS, KINDS, formatNumber, label, t } from './i18n.js';
import { initPage } from './layout.js';

const user = initPage('register');
const form = byId('register-form');
const message = byId('register-message');
const importForm = byId('import-form');
const importMessage = byId('import-message');
const search = byId('unit-search');
let treeOptions = [];

/** The units a model may be registered by (district-level and grassroots), indented under their parents. */
function flatten(nodes, depth = 0, out = []) {
  for (const node of nodes) {
    if (node.level !== 'province')
      out.push([node.id, `${'\u00a0\u00a0'.repeat(Math.max(0, depth - 1))}${node.name}`]);
    flatten(node.children || [], depth + (node.level === 'province' ? 0 : 1), out);
  }
  return out;
}

async function loadCampaigns() {
  const campaigns = await api('/campaigns');
  const pairs = campaigns.map((c) => [c.id, c.name]);
  if (!pairs.length) showMessage(message, t('reg.noCampaign'), 'info');
  options(form.campaignId, pairs, pairs[0]?.[0]);
  options(importForm.campaignId, pairs, pairs[0]?.[0]);
}

async function loadUnits() {
  const tree = await api('/units');
  treeOptions = flatten(tree);
  const mine = treeOptions.some(([id]) => id === user.unitId) ? user.unitId : treeOptions[0]?.[0];
  options(form.unitId, treeOptions, mine);
}

const searchUnits = debounce(async () => {
  const q = search.value.trim();
  const current = form.unitId.value;
  if (!q) {
    options(form.unitId, treeOptions, current);
    return;
  }
  try {
    const found = await api(`/units?q=${encodeURIComponent(q)}`);
    const pairs = found
      .filter((u) => u.level !== 'province')
      .map((u) => [u.id, u.path.slice(1).join(' › ') || u.name]);
    options(form.unitId, pairs, pairs.some(([id]) => id === current) ? current : pairs[0]?.[0]);
  } catch (err) {
    showError(message, err);
  }
}, 250);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(message, '');
  const body = {};
  for (const name of ['campaignId', 'unitId', 'title', 'description', 'field', 'kind', 'nomineeName']) {
    body[name] = form.elements.namedItem(name).value;
  }
  await busy(form, async () => {
    try {
      const created = await api('/nominations', { method: 'POST', body });
      location.assign(`/app/nominations/${created.id}`);
    } catch (err) {
      const rest =
        err instanceof ApiError && [400, 409, 422].includes(err.status)
          ? showFieldErrors(form, err)
          : [err.message];
      if (rest.length) showMessage(message, rest.join('; '));
    }
  });
});

function count(value) {
  return formatNumber(Array.isArray(value) ? value.length : Number(value) || 0);
}

function importReport(errors) {
  return el(
    'table',
    { class: 'data', id: 'import-errors' },
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, t('col.row')), el('th', {}, t('col.column')), el('th', {}, t('col.reason'))),
    ),
    el(
      'tbody',
      {},
      errors.map((e) =>
        el(
          'tr',
          {},
          el('td', {}, String(e.row ?? '')),
          el('td', {}, e.column ?? t('common.none')),
          el('td', {}, e.reason),
        ),
      ),
    ),
  );
}

importForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  showMessage(importMessage, '');
  const report = byId('import-report');
  report.replaceChildren();
  const file = importForm.file.files[0];
  if (!file) {
    showMessage(importMessage, t('reg.importNoFile'));
    return;
  }
  await busy(importForm, async () => {
    try {
      const text = await file.text();
      const result = await api(`/campaigns/${importForm.campaignId.value}/nominations/import`, {
        method: 'POST',
        body: text,
        contentType: 'text/csv; charset=utf-8',
      });
      showMessage(
        importMessage,
        t('reg.importDone', {
          imported: count(result.imported),
          created: count(result.created),
          alreadyPresent: count(result.alreadyPresent),
        }),
        'success',
      );
      const created = Array.isArray(result.nominations) ? result.nominations.slice(0, 100) : [];
      if (created.length) {
        report.replaceChildren(
          el(
            'ul',
            { id: 'imported' },
            created.map((n) => el('li', {}, el('a', { href: `/app/nominations/${n.id}` }, n.title))),
          ),
        );
      }
    } catch (err) {
      const errors = err instanceof ApiError && Array.isArray(err.body.errors) ? err.body.errors : [];
      if (errors.length) {
        showMessage(importMessage, `${t('reg.importErrors')} ${err.message}`);
        report.replaceChildren(importReport(errors));
      } else if (err instanceof ApiError && err.status === 404 && /^Cannot POST /.test(err.message)) {
        showMessage(importMessage, t('error.notAvailable'));
      } else {
        showError(importMessage, err);
      }
    }
  });
});

if (user) {
  options(form.field, [['', t('reg.choose')], ...FIELDS.map((f) => [f, label('field', f)])], '');
  options(
    form.kind,
    KINDS.map((k) => [k, label('kind', k)]),
    'collective',
  );
  search.addEventListener('input', searchUnits);
  Promise.all([loadCampaigns(), loadUnits()]).catch((err) => showError(message, err));
}
