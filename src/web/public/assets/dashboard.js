/* global Blob, document, history, location, setInterval, setTimeout, window, URL, URLSearchParams */
import { ApiError, api, apiOptional, loadClientConfig, request, temporalWorkflowUrl } from './api.js';
import { byId, el, options, showError, showMessage } from './dom.js';
import { FUNNEL_STEPS, STAGES, formatDateTime, formatHours, formatNumber, label, t } from './i18n.js';
import { funnelChart } from './chart.js';
import { initPage, userCan } from './layout.js';

/** The campaign's name, with its year unless the name has it. */
const withYear = (c) => (String(c.name).includes(String(c.year)) ? c.name : `${c.name} (${c.year})`);

const user = initPage('dashboard');
// What the access policy lets the caller do here (`GET /auth/me`): the Temporal links, reassigning, the calendar.
const [mayInspect, mayReassign, mayChangeCalendar] = await Promise.all(
  ['workflow.inspect', 'task.reassign', 'campaign.calendar'].map((a) => userCan(a)),
);
const params = new URLSearchParams(location.search);
// Seconds between automatic refreshes of the figures (?refresh=, at least 2; default 30).
const refreshSeconds = Math.max(2, Number(params.get('refresh')) || 30);
const FUNNEL = FUNNEL_STEPS;
const message = byId('dash-message');
const select = byId('campaign');
let campaigns = [];
let campaignId = null;
let config = null;

const campaign = () => campaigns.find((c) => c.id === campaignId);
const cell = (...children) => el('td', {}, ...children);
const overdueBadge = (overdue) =>
  overdue ? el('span', { class: 'badge overdue' }, t('badge.overdue')) : null;
const num = (n) => el('td', { class: 'num' }, formatNumber(n || 0));
const head = (...labels) =>
  el(
    'thead',
    {},
    el(
      'tr',
      {},
      labels.map((l) => el('th', {}, l)),
    ),
  );

function temporalLink(workflowId) {
  const url = mayInspect ? temporalWorkflowUrl(config, workflowId) : null;
  return url
    ? el(
        'a',
        { href: url, target: '_blank', rel: 'noopener', class: 'temporal-link small' },
        t('dash.temporal'),
      )
    : null;
}

function titleCell(nominationId, title, workflowId, extra) {
  return el(
    'td',
    { 'data-label': t('col.title') },
    el('a', { href: `/app/nominations/${nominationId}` }, title),
    extra ? el('div', { class: 'muted small' }, extra) : null,
    temporalLink(workflowId),
  );
}

/** The funnel: from the report (with the collective/individual split) or, without it, summed from unit status. */
function renderFunnel(report, units) {
  let steps;
  let split = false;
  if (report && report.totals && report.totals.registered) {
    split = true;
    steps = FUNNEL.map((key) => ({ key, label: t(`funnel.${key}`), ...report.totals[key] }));
  } else if (units) {
    const sum = (f) => units.units.reduce((n, u) => n + (u[f] || 0), 0);
    const fields = ['registered', 'districtRecognized', 'proposed', 'provinciallyRecognized'];
    steps = FUNNEL.map((key, i) => ({ key, label: t(`funnel.${key}`), total: sum(fields[i]) }));
  } else {
    return;
  }
  byId('funnel').replaceChildren(funnelChart(steps, { split }));
  byId('funnel-note').hidden = split;
}

function renderMissing(report, units) {
  const stages = report?.stages
    ? report.stages.map((s) => ({ ...s, closed: Boolean(s.closedAt), names: s.missing.map((m) => m.name) }))
    : (units?.stages ?? []).map((s) => ({ ...s, names: s.missing.map((m) => m.name) }));
  byId('missing').replaceChildren(
    ...stages.map((s) =>
      el(
        'li',
        { dataset: { stage: s.stage } },
        el('strong', {}, label('stage', s.stage)),
        ' — ',
        t('dash.missingLine', { submitted: s.submitted, total: s.total }),
        s.closed ? el('span', { class: 'badge' }, t('dash.stageClosed')) : null,
        s.names.length
          ? el(
              'ul',
              { class: 'chips' },
              s.names.map((name) => el('li', { class: 'chip' }, name)),
            )
          : el('div', { class: 'muted small' }, t('dash.missingNone')),
      ),
    ),
  );
}

/** Stage × unit from the pipeline summary; without it, each unit's progress from the unit status. */
function renderUnits(summary, units) {
  const table = byId('units');
  if (summary) {
    byId('units-heading').textContent = t('dash.byStageUnit');
    const line = (name, c, attrs = {}) =>
      el(
        'tr',
        attrs,
        el('th', { scope: 'row' }, name),
        STAGES.map((s) => num(c.byStage?.[s])),
        num(c.closed),
        num(c.overdueTasks),
        num(c.total),
      );
    table.replaceChildren(
      head(
        t('col.unit'),
        ...STAGES.map((s) => label('stage', s)),
        label('stage', 'closed'),
        t('col.overdue'),
        t('col.total'),
      ),
      el(
        'tbody',
        {},
        summary.units.map((u) => line(u.name, u, { dataset: { unitId: u.unitId } })),
      ),
      el('tfoot', {}, line(t('col.total'), summary.totals)),
    );
    return;
  }
  if (!units) return;
  byId('units-heading').textContent = t('dash.byUnit');
  table.replaceChildren(
    head(t('col.unit'), ...FUNNEL.map((k) => t(`funnel.${k}`)), t('col.openTasks'), t('col.overdue')),
    el(
      'tbody',
      {},
      units.units.map((u) =>
        el(
          'tr',
          { dataset: { unitId: u.unitId } },
          el('th', { scope: 'row' }, u.name),
          num(u.registered),
          num(u.districtRecognized),
          num(u.proposed),
          num(u.provinciallyRecognized),
          num(u.openTasks),
          num(u.overdueTasks),
        ),
      ),
    ),
  );
}

/** "Huyện Đức Linh · Cán bộ thẩm định cấp huyện · Nguyễn Văn Bình" */
function waitingFor(w) {
  if (!w) return t('common.none');
  return (
    [w.unitName, w.role ? label('role', w.role) : null, w.userName].filter(Boolean).join(' · ') || w.label
  );
}

function renderStuck(stuck) {
  const table = byId('stuck');
  const box = byId('stuck-message');
  if (!stuck) {
    table.replaceChildren();
    showMessage(box, t('error.notAvailable'), 'info');
    return;
  }
  showMessage(box, stuck.items.length ? '' : t('dash.stuckEmpty'), 'info');
  table.replaceChildren(
    head(
      t('col.title'),
      t('col.unit'),
      t('col.stage'),
      t('col.waiting'),
      t('col.waitingFor'),
      t('col.due'),
      t('col.failure'),
    ),
    el(
      'tbody',
      {},
      stuck.items.map((n) =>
        el(
          'tr',
          { class: n.task?.overdue ? 'overdue' : null },
          titleCell(n.nominationId, n.title, `nomination-${n.nominationId}`, n.nomineeName),
          cell(n.unitName),
          cell(label('stage', n.stage)),
          cell(formatHours(n.waitingHours)),
          cell(waitingFor(n.waitingFor)),
          cell(n.task ? formatDateTime(n.task.dueAt) : t('common.none'), overdueBadge(n.task?.overdue)),
          cell(n.failure ? failureText(n.failure) : ''),
        ),
      ),
    ),
  );
}

function failureText(f) {
  const args = { action: label('action', f.action), attempts: f.attempts, reason: f.reason };
  return t(f.held ? 'dash.failureHeld' : 'dash.failureRefused', args);
}

async function refresh() {
  const id = campaignId;
  if (!id) return;
  const calls = [
    apiOptional(`/campaigns/${id}/report?format=json`),
    api(`/campaigns/${id}/units`),
    apiOptional(`/pipeline/summary?campaignId=${id}`),
    apiOptional(`/pipeline/stuck?campaignId=${id}&limit=20`),
  ];
  const [report, units, summary, stuck] = await Promise.allSettled(calls);
  if (id !== campaignId) return;
  const value = (r) => (r.status === 'fulfilled' ? r.value : null);
  const failed = [report, units, summary, stuck].find((r) => r.status === 'rejected');
  if (failed) showError(message, failed.reason);
  else showMessage(message, '');
  renderFunnel(value(report), value(units));
  renderMissing(value(report), value(units));
  renderUnits(value(summary), value(units));
  if (stuck.status === 'fulfilled') renderStuck(stuck.value);
  byId('updated').textContent = t('dash.updated', { time: formatDateTime(new Date()) });
}

async function startReassign(task, td) {
  const box = byId('tasks-message');
  showMessage(box, '');
  let users;
  try {
    users = await api(
      `/users?unitId=${task.assigneeUnitId}&role=${encodeURIComponent(task.assigneeRole)}&active=true`,
    );
  } catch (err) {
    showError(box, err);
    return;
  }
  const candidates = users.filter((u) => u.unitId === task.assigneeUnitId && u.id !== task.assigneeUserId);
  if (!candidates.length) {
    showMessage(box, t('dash.noUsers'), 'info');
    return;
  }
  const choice = el(
    'select',
    { 'aria-label': t('dash.reassignTo'), class: 'reassign-user' },
    candidates.map((u) => el('option', { value: u.id }, `${u.displayName} (${u.username})`)),
  );
  const ok = el('button', { type: 'button', class: 'primary small reassign-ok', text: t('common.ok') });
  const cancel = el('button', {
    type: 'button',
    class: 'small',
    text: t('common.cancel'),
    onclick: () => loadTasks(),
  });
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    try {
      const done = await api(`/tasks/${task.id}/reassign`, {
        method: 'POST',
        body: { userId: choice.value },
      });
      showMessage(
        box,
        t('dash.reassigned', { name: done.claimedByName || choice.selectedOptions[0].textContent }),
        'success',
      );
      await loadTasks(false);
    } catch (err) {
      ok.disabled = false;
      showError(box, err);
    }
  });
  td.replaceChildren(choice, ok, cancel);
  choice.focus();
}

async function loadTasks(clearMessage = true) {
  const box = byId('tasks-message');
  if (clearMessage) showMessage(box, '');
  const all = byId('all-tasks').checked;
  try {
    const tasks = await api(`/tasks?limit=100${all ? '' : '&overdue=true'}`);
    byId('tasks').replaceChildren(
      head(t('col.title'), t('col.unit'), t('col.stage'), t('col.due'), t('col.holder'), t('col.actions')),
      el(
        'tbody',
        {},
        tasks.map((task) => {
          const actions = el('td', { class: 'row-actions' });
          if (mayReassign) {
            actions.append(
              el('button', {
                type: 'button',
                class: 'small reassign',
                text: t('dash.reassign'),
                onclick: () => startReassign(task, actions),
              }),
            );
          }
          return el(
            'tr',
            { class: task.overdue ? 'overdue' : null, dataset: { taskId: task.id } },
            titleCell(task.nominationId, task.nominationTitle, task.workflowId, task.nomineeName),
            cell(task.unitName),
            cell(label('stage', task.stage)),
            cell(formatDateTime(task.dueAt), overdueBadge(task.overdue)),
            el('td', { class: 'holder' }, task.claimedByName || t('inbox.unclaimed')),
            actions,
          );
        }),
      ),
    );
    if (!tasks.length) showMessage(box, t('dash.tasksEmpty'), 'info');
  } catch (err) {
    showError(box, err);
  }
}

/** Fetches a report with the bearer token (never in a URL) and hands it over as a blob. */
async function fetchReport(format) {
  const res = await request(`/campaigns/${campaignId}/report?format=${format}`, { raw: true });
  return { blob: await res.blob(), disposition: res.headers.get('content-disposition') || '' };
}

function reportError(err) {
  if (err instanceof ApiError && err.status === 404 && /^Cannot GET /.test(err.message)) {
    showMessage(message, t('error.notAvailable'));
  } else {
    showError(message, err);
  }
}

byId('csv').addEventListener('click', async () => {
  try {
    const { blob, disposition } = await fetchReport('csv');
    const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] || `bao-cao-${campaign()?.year ?? ''}.csv`;
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    reportError(err);
  }
});

byId('print').addEventListener('click', async () => {
  // Opened at once (a popup blocker allows it during the click), filled when the report arrives.
  const win = window.open('', '_blank');
  try {
    const { blob } = await fetchReport('html');
    const url = URL.createObjectURL(new Blob([blob], { type: 'text/html;charset=utf-8' }));
    if (win) win.location.href = url;
    else location.assign(url);
  } catch (err) {
    if (win) win.close();
    reportError(err);
  }
});

async function init() {
  campaigns = await api('/campaigns');
  if (!campaigns.length) {
    showMessage(message, t('dash.noCampaign'), 'info');
    return;
  }
  const wanted = params.get('campaignId');
  campaignId = campaigns.some((c) => c.id === wanted) ? wanted : campaigns[0].id;
  options(
    select,
    campaigns.map((c) => [c.id, withYear(c)]),
    campaignId,
  );
  byId('calendar-link').href = `/app/calendar?campaignId=${campaignId}`;
  byId('calendar-link').hidden = !mayChangeCalendar;
  config = await loadClientConfig();
  await Promise.all([refresh(), loadTasks()]);
  setInterval(() => {
    if (document.visibilityState === 'visible') refresh();
  }, refreshSeconds * 1000);
}

if (user) {
  select.addEventListener('change', () => {
    campaignId = select.value;
    params.set('campaignId', campaignId);
    history.replaceState(null, '', `?${params}`);
    byId('calendar-link').href = `/app/calendar?campaignId=${campaignId}`;
    refresh();
  });
  byId('campaign-form').addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
    loadTasks();
  });
  byId('all-tasks').addEventListener('change', () => loadTasks());
  init().catch((err) => showError(message, err));
}
