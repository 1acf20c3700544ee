/* global location, URLSearchParams */
import { ApiError, request, setToken } from './api.js';
import { busy, byId, clearFieldErrors, showError, showFieldErrors, showMessage } from './dom.js';
import { t } from './i18n.js';
import { initPage, userCan } from './layout.js';

initPage('login', { requireAuth: false });

const form = byId('login-form');
const message = byId('login-message');
const params = new URLSearchParams(location.search);
if (params.get('expired')) showMessage(message, t('login.expired'), 'info');

/**
 * Back to the page that sent us here (only our own pages), else the user's usual start page: the dashboard
 * for whoever runs the round (may create a campaign), the inbox for everyone else.
 */
async function destination() {
  const next = params.get('next') || '';
  if (/^\/app\/(?!login)[\w/?=&%.-]*$/.test(next)) return next;
  return (await userCan('campaign.create')) ? '/app/dashboard' : '/app/inbox';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  showMessage(message, '');
  const body = { username: form.username.value.trim(), password: form.password.value };
  await busy(form, async () => {
    try {
      const res = await request('/auth/login', { method: 'POST', body });
      setToken(res.body.accessToken);
      location.assign(await destination());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        showMessage(message, t('login.wrong'));
        form.password.select();
      } else if (err instanceof ApiError && err.status === 429) {
        const seconds = Number(err.headers?.get('retry-after'));
        showMessage(message, seconds > 0 ? t('login.tooMany', { seconds }) : t('login.tooManyLater'));
      } else if (err instanceof ApiError && err.status === 400) {
        const rest = showFieldErrors(form, err);
        if (rest.length) showMessage(message, rest.join('; '));
      } else {
        showError(message, err);
      }
    }
  });
});
