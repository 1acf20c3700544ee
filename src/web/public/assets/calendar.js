/* global location, URLSearchParams */
import { ApiError, api } from './api.js';
import { busy, byId, clearFieldErrors, el, showError, showFieldErrors, showMessage } from './dom.js';
import { STAGES, label, t } from './i18n.js';
import { initPage } from './layout.js';

/** The campaign's name, with its year unless the name has it. */
const withYear = (c) => (String(c.name).includes(String(c.year)) ? c.name : `${c.name} (${c.year})`);

const user = initPage('dashboard');
const form = byId('calendar-form');
const message = byId('calendar-message');
const campaignId = new URLSearchParams(location.search).get('campaignId');
let campaign = null;

const pad = (n) => String(n).padStart(2, '0');

/** ISO-8601 → the value of a datetime-local input, in the browser's time zone. */
function toLocalInput(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function dateInput(stage, key, iso) {
  const name = `stages.${stage}.${key}`;
  const value = iso ? toLocalInput(iso) : '';
  // The original stays as it was unless the user changes it (a closed stage must not move by its seconds).
  return el(
    'td',
    { class: 'field', 'data-label': t(`cal.${key}`) },
    el('input', {
      type: 'datetime-local',
      name,
      id: name,
      value,
      step: 60,
      'aria-label': `${label('stage', stage)} — ${t(`cal.${key}`)}`,
      dataset: { initial: value, iso: iso || '' },
    }),
  );
}

function fill(c) {
  campaign = c;
  byId('campaign-name').textContent = withYear(c);
  byId('stages').replaceChildren(
    ...STAGES.map((stage) =>
      el(
        'tr',
        { dataset: { stage } },
        el('th', { scope: 'row' }, label('stage', stage)),
        dateInput(stage, 'dueAt', c.calendar.stages[stage]?.dueAt),
        dateInput(stage, 'cutoffAt', c.calendar.stages[stage]?.cutoffAt),
      ),
    ),
  );
  form.reminderOffsetsHours.value = (c.calendar.reminderOffsetsHours || []).join(', ');
  form.revisionWindowHours.value = c.calendar.revisionWindowHours ?? '';
  form.hidden = false;
}

function dateValue(input) {
  if (input.value === input.dataset.initial) return input.dataset.iso;
  const d = new Date(input.value);
  return Number.isNaN(d.getTime()) ? input.value : d.toISOString();
}

function numberOrText(text) {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

function edited() {
  const stages = {};
  for (const stage of STAGES) {
    stages[stage] = {
      dueAt: dateValue(form.elements.namedItem(`stages.${stage}.dueAt`)),
      cutoffAt: dateValue(form.elements.namedItem(`stages.${stage}.cutoffAt`)),
    };
  }
  const offsets = form.reminderOffsetsHours.value
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map(numberOrText);
  return {
    ...campaign.calendar,
    stages,
    reminderOffsetsHours: offsets,
    revisionWindowHours: numberOrText(form.revisionWindowHours.value.trim()),
  };
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(message, '');
  const calendar = edited();
  if (JSON.stringify(calendar) === JSON.stringify(campaign.calendar)) {
    showMessage(message, t('cal.unchanged'), 'info');
    return;
  }
  await busy(form, async () => {
    try {
      const result = await api(`/campaigns/${campaign.id}/calendar`, { method: 'PATCH', body: calendar });
      fill(result.campaign ?? result);
      showMessage(message, t('cal.saved', { n: result.signalled ?? 0 }), 'success');
    } catch (err) {
      const rest =
        err instanceof ApiError && [400, 422].includes(err.status)
          ? showFieldErrors(form, err)
          : [err.message];
      showMessage(message, rest.length ? rest.join('; ') : err.message);
    }
  });
});

async function init() {
  let id = campaignId;
  if (!id) id = (await api('/campaigns'))[0]?.id;
  if (!id) {
    showMessage(message, t('dash.noCampaign'), 'info');
    return;
  }
  byId('back').href = `/app/dashboard?campaignId=${id}`;
  fill(await api(`/campaigns/${id}`));
}

if (user) init().catch((err) => showError(message, err));
