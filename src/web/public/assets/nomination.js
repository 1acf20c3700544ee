/* global document, location, URLSearchParams, setTimeout */
import { ApiError, api, loadClientConfig, temporalWorkflowUrl } from './api.js';
import { busy, byId, clearFieldErrors, el, options, showError, showFieldErrors, showMessage } from './dom.js';
import { FIELDS, KINDS, formatDateTime, label, t } from './i18n.js';
import { initPage, userCan } from './layout.js';

const user = initPage('nomination');
const message = byId('nom-message');
const actionMessage = byId('action-message');
const decisionForm = byId('decision-form');
const resubmitForm = byId('resubmit-form');
const withdrawForm = byId('withdraw-form');

/** The id from /app/nominations/<id>, or from ?id=. */
function nominationId() {
  const match = /^\/app\/nominations\/([\w-]+)\/?$/.exec(location.pathname);
  return match ? match[1] : new URLSearchParams(location.search).get('id');
}

const id = nominationId();
let state = { nomination: null, task: null, history: [], campaign: null, unit: null };

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function load() {
  const [nomination, tasks, history] = await Promise.all([
    api(`/nominations/${encodeURIComponent(id)}`),
    api(`/tasks?nominationId=${encodeURIComponent(id)}`),
    api(`/nominations/${encodeURIComponent(id)}/history`),
  ]);
  const [campaign, unit] = await Promise.all([
    state.campaign ?? api(`/campaigns/${nomination.campaignId}`).catch(() => null),
    state.unit ?? api(`/units/${nomination.unitId}`).catch(() => null),
  ]);
  state = { nomination, task: tasks.find((task) => task.status === 'open') ?? null, history, campaign, unit };
  render();
}

/** After a change, the workflow writes the timeline a moment later: reload until `done` holds (about 10 s). */
async function reloadUntil(done) {
  for (let i = 0; i < 40; i++) {
    await load();
    if (done(state)) return;
    await wait(250);
  }
}

function row(term, ...value) {
  return [el('dt', {}, term), el('dd', {}, ...value)];
}

function deadline() {
  const { nomination, task, campaign } = state;
  if (task) return { dueAt: task.dueAt, cutoffAt: task.cutoffAt };
  const stage = campaign?.calendar?.stages?.[nomination.stage];
  return stage ? { dueAt: stage.dueAt, cutoffAt: stage.cutoffAt } : null;
}

function renderDetails() {
  const { nomination, unit, campaign } = state;
  byId('nom-title').textContent = nomination.title;
  document.title = `${nomination.title} — ${t('app.name')}`;
  byId('nom-badges').replaceChildren(
    ...[
      el('span', { class: 'badge stage', id: 'nom-stage' }, label('stage', nomination.stage)),
      nomination.outcome
        ? el('span', { class: 'badge info', id: 'nom-outcome' }, label('outcome', nomination.outcome))
        : null,
      nomination.overdue && nomination.stage !== 'closed'
        ? el('span', { class: 'badge overdue' }, t('badge.overdue'))
        : null,
    ].filter(Boolean),
  );
  const due = deadline();
  byId('details').replaceChildren(
    ...row(t('nom.stage'), label('stage', nomination.stage)),
    ...(nomination.outcome ? row(t('nom.outcome'), label('outcome', nomination.outcome)) : []),
    ...(due && nomination.stage !== 'closed'
      ? [
          ...row(t('nom.deadline'), formatDateTime(due.dueAt)),
          ...row(t('nom.cutoff'), formatDateTime(due.cutoffAt)),
        ]
      : []),
    ...row(t('nom.unit'), unit ? unit.path.join(' › ') : nomination.unitId),
    ...row(t('nom.nominee'), nomination.nomineeName),
    ...row(t('nom.field'), label('field', nomination.field)),
    ...row(t('nom.kind'), label('kind', nomination.kind)),
    ...row(t('nom.description'), el('span', { class: 'prewrap' }, nomination.description)),
    ...row(t('nom.campaign'), campaign ? campaign.name : nomination.campaignId),
    ...row(t('nom.createdAt'), formatDateTime(nomination.createdAt)),
    ...row(t('nom.revisions'), String(nomination.revisions)),
  );
}

/** What the caller may do is the API's to say: the task's canClaim/canDecide, the nomination's actions. */
function canDecide(task) {
  return task.canDecide;
}

function mayOnNomination(action) {
  return Boolean(state.nomination?.actions?.includes(action));
}

function renderTask() {
  const { task, nomination } = state;
  const box = byId('task');
  decisionForm.hidden = true;
  resubmitForm.hidden = true;
  if (!task) {
    box.replaceChildren(el('p', { class: 'muted', id: 'no-task' }, t('nom.noTask')));
    return;
  }
  const claimable = task.canClaim;
  const claim = claimable
    ? el('button', { type: 'button', class: 'small', id: 'claim', text: t('nom.claim') })
    : null;
  if (claim) {
    claim.addEventListener('click', async () => {
      claim.disabled = true;
      try {
        await api(`/tasks/${task.id}/claim`, { method: 'POST' });
        await reloadUntil((s) => s.task?.assigneeUserId === user.id);
      } catch (err) {
        claim.disabled = false;
        showError(actionMessage, err);
      }
    });
  }
  box.replaceChildren(
    el(
      'dl',
      { class: 'details' },
      ...row(
        t('nom.stage'),
        label('stage', task.stage),
        task.kind === 'revision' ? ` · ${label('taskKind', 'revision')}` : '',
      ),
      ...row(
        t('nom.deadline'),
        formatDateTime(task.dueAt),
        task.overdue ? el('span', { class: 'badge overdue' }, t('badge.overdue')) : null,
      ),
      ...row(t('nom.cutoff'), formatDateTime(task.cutoffAt)),
      ...row(t('nom.holder'), task.claimedByName || t('inbox.unclaimed'), claim ? ' ' : null, claim),
    ),
  );
  if (task.kind === 'revision') {
    box.append(el('p', { class: 'message info' }, t('nom.revisionDue', { due: formatDateTime(task.dueAt) })));
  }
  if (canDecide(task)) {
    decisionForm.hidden = false;
    byId('score-field').hidden = task.stage !== 'provincial_review';
    byId('decisions').replaceChildren(
      ...task.allowedDecisions.map((decision) => {
        const button = el('button', {
          type: 'button',
          class: /^(not_|reject)/.test(decision)
            ? 'danger'
            : decision === 'request_revision'
              ? ''
              : 'primary',
          dataset: { decision },
          text: label('decision', decision),
        });
        button.addEventListener('click', () => decide(task, decision));
        return button;
      }),
    );
  }
  if (
    task.kind === 'revision' &&
    mayOnNomination('nomination.resubmit') &&
    resubmitForm.dataset.for !== task.id
  ) {
    // Filled once per revision task, so that a reload does not wipe what the submitter is typing.
    resubmitForm.dataset.for = task.id;
    resubmitForm.title.value = nomination.title;
    resubmitForm.description.value = nomination.description;
    options(
      resubmitForm.field,
      FIELDS.map((f) => [f, label('field', f)]),
      nomination.field,
    );
    options(
      resubmitForm.kind,
      KINDS.map((k) => [k, label('kind', k)]),
      nomination.kind,
    );
    resubmitForm.nomineeName.value = nomination.nomineeName;
  }
  resubmitForm.hidden = !(task.kind === 'revision' && mayOnNomination('nomination.resubmit'));
}

function who(event) {
  if (event.actor?.type !== 'user') return t('nom.system');
  const name = event.actor.name || t('common.none');
  return event.onBehalfOf ? `${name} (${t('nom.onBehalfOf', { name: event.onBehalfOf.name })})` : name;
}

function renderTimeline() {
  const list = byId('timeline');
  if (!state.history.length) {
    list.replaceChildren(el('li', { class: 'muted' }, t('nom.timelineEmpty')));
    return;
  }
  list.replaceChildren(
    ...state.history.map((event) => {
      const what = [label('action', event.action)];
      if (event.decision) what.push(`: ${label('decision', event.decision)}`);
      const moved = event.stageBefore && event.stageBefore !== event.stageAfter;
      return el(
        'li',
        { class: 'event', dataset: { action: event.action, decision: event.decision || '' } },
        el('time', { datetime: event.occurredAt }, formatDateTime(event.occurredAt)),
        el(
          'div',
          { class: 'what' },
          el('strong', {}, what.join('')),
          ' — ',
          el('span', { class: 'who' }, who(event)),
        ),
        moved || event.outcome
          ? el(
              'div',
              { class: 'muted small' },
              moved ? `${label('stage', event.stageBefore)} → ${label('stage', event.stageAfter)}` : '',
              event.outcome ? ` (${label('outcome', event.outcome)})` : '',
            )
          : null,
        event.score !== null && event.score !== undefined
          ? el('div', { class: 'small' }, t('nom.scoreValue', { score: event.score }))
          : null,
        event.comment ? el('blockquote', { class: 'comment' }, event.comment) : null,
      );
    }),
  );
}

async function renderTemporalLink() {
  const link = byId('temporal-link');
  if (!(await userCan('workflow.inspect'))) return;
  const url = temporalWorkflowUrl(await loadClientConfig(), state.nomination.workflowId);
  link.hidden = !url;
  if (url) link.href = url;
}

function render() {
  byId('nomination').hidden = false;
  renderDetails();
  renderTask();
  renderTimeline();
  byId('withdraw-card').hidden = !(
    state.nomination.stage !== 'closed' && mayOnNomination('nomination.withdraw')
  );
  renderTemporalLink();
}

async function decide(task, decision) {
  clearFieldErrors(decisionForm);
  showMessage(actionMessage, '');
  const payload = { decision };
  const comment = decisionForm.comment.value.trim();
  if (comment) payload.comment = comment;
  if (task.stage === 'provincial_review' && decisionForm.score.value !== '') {
    payload.score = Number(decisionForm.score.value);
  }
  const before = state.history.length;
  await busy(decisionForm, async () => {
    try {
      await api(`/tasks/${task.id}/decision`, { method: 'POST', body: payload });
    } catch (err) {
      if (err instanceof ApiError && [400, 422].includes(err.status)) showFieldErrors(decisionForm, err);
      showMessage(actionMessage, t('nom.refused', { reason: err.message }));
      return;
    }
    decisionForm.reset();
    showMessage(actionMessage, t('nom.decided', { decision: label('decision', decision) }), 'success');
    await reloadUntil((s) => s.history.length > before && (!s.task || s.task.id !== task.id));
  });
}

resubmitForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(resubmitForm);
  showMessage(actionMessage, '');
  const { nomination } = state;
  const payload = {};
  for (const name of ['title', 'description', 'field', 'kind', 'nomineeName']) {
    const value = resubmitForm[name].value;
    if ((typeof value === 'string' ? value.trim() : value) !== nomination[name]) payload[name] = value;
  }
  const comment = resubmitForm.comment.value.trim();
  if (comment) payload.comment = comment;
  const before = state.history.length;
  await busy(resubmitForm, async () => {
    try {
      await api(`/nominations/${nomination.id}/resubmit`, { method: 'POST', body: payload });
    } catch (err) {
      const rest =
        err instanceof ApiError && [400, 422].includes(err.status)
          ? showFieldErrors(resubmitForm, err)
          : [err.message];
      if (rest.length) showMessage(actionMessage, rest.join('; '));
      return;
    }
    resubmitForm.reset();
    delete resubmitForm.dataset.for;
    showMessage(actionMessage, t('nom.resubmitted'), 'success');
    await reloadUntil((s) => s.history.length > before);
  });
});

withdrawForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(withdrawForm);
  const box = byId('withdraw-message');
  showMessage(box, '');
  const before = state.history.length;
  await busy(withdrawForm, async () => {
    try {
      await api(`/nominations/${state.nomination.id}/withdraw`, {
        method: 'POST',
        body: { reason: withdrawForm.reason.value },
      });
    } catch (err) {
      const rest =
        err instanceof ApiError && [400, 422].includes(err.status)
          ? showFieldErrors(withdrawForm, err)
          : [err.message];
      if (rest.length) showMessage(box, rest.join('; '));
      return;
    }
    withdrawForm.reset();
    showMessage(actionMessage, t('nom.withdrawn'), 'success');
    await reloadUntil((s) => s.history.length > before);
  });
});

if (user) {
  if (!id) {
    showMessage(message, t('nom.missingId'));
  } else {
    load().catch((err) => showError(message, err));
  }
}
