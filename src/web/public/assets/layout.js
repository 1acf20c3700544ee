/* global document, location */
// What every page shares: the words in the chosen language, the header with its menu, the language switch,
// and the check that someone is signed in.
import { api, currentUser, goToSignIn, signOut } from './api.js';
import { el } from './dom.js';
import { applyI18n, getLang, label, setLang, t } from './i18n.js';

const MENU = [
  { page: 'inbox', href: '/app/inbox', key: 'nav.inbox', roles: null },
  { page: 'register', href: '/app/register', key: 'nav.register', roles: ['submitter', 'admin'] },
  {
    page: 'dashboard',
    href: '/app/dashboard',
    key: 'nav.dashboard',
    roles: ['admin', 'provincial_reviewer'],
  },
];

function languageSwitch() {
  return el('button', {
    type: 'button',
    class: 'link-button lang-switch',
    id: 'lang-switch',
    lang: getLang() === 'vi' ? 'en' : 'vi',
    title: t('nav.switchLangTitle'),
    text: t('nav.switchLang'),
    onclick: () => {
      setLang(getLang() === 'vi' ? 'en' : 'vi');
      location.reload();
    },
  });
}

let me;
/** The signed-in user's record (`GET /users/:id`, one's own), fetched once per page. */
export function whoAmI() {
  const user = currentUser();
  me ??= user ? api(`/users/${encodeURIComponent(user.id)}`) : Promise.reject(new Error('not signed in'));
  return me;
}

function renderHeader(user, page) {
  const header = document.getElementById('app-header');
  if (!header) return;
  const brand = el('a', { class: 'brand', href: '/app/inbox', text: t('app.name') });
  const items = user
    ? MENU.filter((m) => !m.roles || m.roles.includes(user.role)).map((m) =>
        el('a', { href: m.href, 'aria-current': m.page === page ? 'page' : null, text: t(m.key) }),
      )
    : [];
  const who = el('span', { class: 'who', id: 'who' }, user ? label('role', user.role) : '');
  const right = el(
    'div',
    { class: 'header-right' },
    user ? who : null,
    languageSwitch(),
    user
      ? el('button', { type: 'button', class: 'link-button', onclick: signOut, text: t('nav.signOut') })
      : null,
  );
  header.replaceChildren(el('nav', { class: 'menu', 'aria-label': t('app.name') }, brand, ...items), right);
  if (user) {
    // The display name, for "who am I"; the page works without it.
    whoAmI()
      .then((me) => {
        const role = label('role', user.role);
        who.textContent = me.displayName === role ? role : `${me.displayName} · ${role}`;
      })
      .catch(() => undefined);
  }
}

/**
 * Starts a page: translates it and draws the header. Pages that need a signed-in user get it back; without
 * one (or with an expired token) the browser goes to the sign-in page and this answers null.
 */
export function initPage(page, { requireAuth = true } = {}) {
  applyI18n(document);
  const user = currentUser();
  if (requireAuth && !user) {
    goToSignIn();
    return null;
  }
  renderHeader(requireAuth ? user : null, page);
  return user;
}
