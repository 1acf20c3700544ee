/* global URLSearchParams */
import { api, request } from './api.js';
import { byId, debounce, el, options, showError, showMessage } from './dom.js';
import { FIELDS, STAGES, formatDateTime, label, t } from './i18n.js';
import { initPage, whoAmI } from './layout.js';

const user = initPage('inbox');
const form = byId('filters');
const body = byId('inbox').tBodies[0];
const message = byId('inbox-message');
const more = byId('more');
let cursor = null;
let shown = 0;
// A newer load makes the answers of older ones irrelevant (typing in the search box).
let generation = 0;

options(form.stage, [['', t('filter.allStages')], ...STAGES.map((s) => [s, label('stage', s)])], '');
options(form.field, [['', t('filter.allFields')], ...FIELDS.map((f) => [f, label('field', f)])], '');

function query(nextCursor) {
  const params = new URLSearchParams();
  if (form.q.value.trim()) params.set('q', form.q.value.trim());
  if (form.stage.value) params.set('stage', form.stage.value);
  if (form.field.value) params.set('field', form.field.value);
  if (form.overdue.checked) params.set('overdue', 'true');
  if (nextCursor) params.set('cursor', nextCursor);
  return `/tasks?${params}`;
}

function holderCell(task) {
  if (task.claimedByName) return el('span', { class: 'holder' }, task.claimedByName);
  return el('span', { class: 'muted' }, t('inbox.unclaimed'));
}

async function claim(task, button) {
  button.disabled = true;
  showMessage(message, '');
  try {
    const claimed = await api(`/tasks/${task.id}/claim`, { method: 'POST' });
    // The answer can be read a moment before the workflow's projection lands: the holder is the caller.
    if (!claimed.claimedByName)
      claimed.claimedByName = (await whoAmI().catch(() => null))?.displayName ?? null;
    // The list may have been redrawn meanwhile: change the row as it is now.
    const row = body.querySelector(`tr[data-task-id="${task.id}"]`);
    if (row) {
      row.querySelector('.holder-cell').replaceChildren(holderCell(claimed));
      row.querySelector('button.claim')?.remove();
    }
    showMessage(message, t('inbox.claimed', { title: task.nominationTitle }), 'success');
  } catch (err) {
    button.disabled = false;
    showError(message, err);
  }
}

function row(task) {
  const link = `/app/nominations/${task.nominationId}`;
  const tr = el('tr', { class: task.overdue ? 'overdue' : null, dataset: { taskId: task.id } });
  const canClaim = task.canClaim;
  const claimButton = canClaim
    ? el('button', { type: 'button', class: 'primary small claim', text: t('inbox.claim') })
    : null;
  if (claimButton) claimButton.addEventListener('click', () => claim(task, claimButton));
  tr.append(
    el(
      'td',
      { 'data-label': t('col.title') },
      el('a', { href: link, class: 'title-link' }, task.nominationTitle),
      el('div', { class: 'muted small' }, task.nomineeName, ' · ', label('field', task.field)),
      task.kind === 'revision' ? el('span', { class: 'badge info' }, label('taskKind', 'revision')) : null,
    ),
    el('td', { 'data-label': t('col.unit') }, task.unitName),
    el('td', { 'data-label': t('col.stage') }, label('stage', task.stage)),
    el(
      'td',
      { 'data-label': t('col.due') },
      el('time', { datetime: task.dueAt }, formatDateTime(task.dueAt)),
      task.overdue ? el('span', { class: 'badge overdue' }, t('badge.overdue')) : null,
    ),
    el(
      'td',
      { 'data-label': t('col.holder'), class: 'holder-cell' },
      holderCell(task),
      task.coveringFor
        ? el('div', { class: 'muted small' }, t('inbox.covering', { name: task.claimedByName }))
        : null,
    ),
    el(
      'td',
      { 'data-label': t('col.actions'), class: 'row-actions' },
      claimButton,
      el('a', { href: link, class: 'button small' }, t('inbox.open')),
    ),
  );
  return tr;
}

async function load(append = false) {
  const mine = ++generation;
  if (!append) {
    cursor = null;
    shown = 0;
  }
  showMessage(message, '');
  const table = byId('inbox');
  table.setAttribute('aria-busy', 'true');
  try {
    const url = query(append ? cursor : null);
    const res = await request(url);
    if (mine !== generation) return;
    // Which filters the rows shown answer (the tests wait on it; a reader can ignore it).
    table.dataset.query = url.replace(/^\/tasks\??/, '');
    table.removeAttribute('aria-busy');
    if (!append) body.replaceChildren();
    body.append(...res.body.map(row));
    shown += res.body.length;
    cursor = res.headers.get('x-next-cursor');
    more.hidden = !cursor;
    byId('inbox-empty').hidden = shown > 0;
    byId('inbox-count').textContent = t('inbox.count', { n: shown });
  } catch (err) {
    if (mine === generation) showError(message, err);
  }
}

if (user) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  // The search box reloads as one types (below); the other filters when they change.
  form.addEventListener('change', (event) => {
    if (event.target !== form.q) load();
  });
  form.q.addEventListener(
    'input',
    debounce(() => load(), 300),
  );
  more.addEventListener('click', () => load(true));
  load();
}
