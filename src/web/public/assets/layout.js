/* global document, location */
// What every page shares: the words in the chosen language, the header with its menu, the language switch,
// and the check that someone is signed in.
import { api, currentUser, goToSignIn, signOut } from './api.js';
import { el } from './dom.js';
import { applyI18n, getLang, label, setLang, t } from './i18n.js';

// Each entry shows when the API says the caller may do its action (`GET /auth/me`'s `can`).
const MENU = [
  { page: 'inbox', href: '/app/inbox', key: 'nav.inbox', action: null },
  { page: 'register', href: '/app/register', key: 'nav.register', action: 'nomination.register' },
  { page: 'dashboard', href: '/app/dashboard', key: 'nav.dashboard', action: 'pipeline.view' },
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
/**
 * The signed-in user (`GET /auth/me`): their name, and in `can` the actions the access policy lets their
 * role do — the pages show only those. Fetched once per page.
 */
export function whoAmI() {
  const user = currentUser();
  me ??= user ? api('/auth/me') : Promise.reject(new Error('not signed in'));
  return me;
}

/** Whether the signed-in user's role may do `action` somewhere (false when that cannot be known). */
export async function userCan(action) {
  const who = await whoAmI().catch(() => null);
  return Boolean(who?.can?.includes(action));
}

function renderHeader(user, page) {
  const header = document.getElementById('app-header');
  if (!header) return;
  const brand = el('a', { class: 'brand', href: '/app/inbox', text: t('app.name') });
  const items = (can) =>
    user
      ? MENU.filter((m) => !m.action || can.includes(m.action)).map((m) =>
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
  const nav = el('nav', { class: 'menu', 'aria-label': t('app.name') }, brand, ...items([]));
  header.replaceChildren(nav, right);
  if (user) {
    // The display name, for "who am I", and the menu entries the caller may use; the page works without them.
    whoAmI()
      .then((me) => {
        nav.replaceChildren(brand, ...items(me.can ?? []));
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
