/* global sessionStorage, fetch, location, atob, TextDecoder, URLSearchParams */
// The JSON API as the pages call it: the bearer token lives in sessionStorage (never in a URL), a 401 leads
// to the sign-in page, and every refusal becomes an ApiError carrying the API's own message and details.
import { t } from './i18n.js';

const TOKEN_KEY = 'dvk.accessToken';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.assign('/app/login');
}

function decodeBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '==='.slice((b64.length + 3) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * Who is signed in, read from the token's payload ({sub, role, unitId, exp}) — only to choose what the page
 * shows; the API checks every call itself. Null when there is no token or it has expired.
 */
export function currentUser() {
  const token = getToken();
  if (!token) return null;
  try {
    const payload = JSON.parse(decodeBase64Url(token.split('.')[1]));
    if (payload.exp && payload.exp * 1000 <= Date.now()) return null;
    return { id: payload.sub, role: payload.role, unitId: payload.unitId };
  } catch {
    return null;
  }
}

/** Leaves for the sign-in page, which comes back here afterwards. */
export function goToSignIn(expired = Boolean(getToken())) {
  sessionStorage.removeItem(TOKEN_KEY);
  const params = new URLSearchParams({ next: location.pathname + location.search });
  if (expired) params.set('expired', '1');
  location.replace(`/app/login?${params}`);
}

export class ApiError extends Error {
  constructor(status, body, headers) {
    const message =
      (body && typeof body.message === 'string' && body.message) || t('error.generic', { status });
    super(message);
    this.status = status;
    this.body = body || {};
    this.headers = headers;
    /** [{field, reason}] of a 400 or 422, when the API names the fields. */
    this.details = Array.isArray(this.body.details) ? this.body.details : [];
  }
}

/**
 * One call. `body` is sent as JSON unless `contentType` is given (then as the string it is). Answers
 * `{status, body, headers}`, or with `raw` the Response itself; throws ApiError for every non-2xx answer.
 */
export async function request(path, { method = 'GET', body, contentType, headers = {}, raw = false } = {}) {
  const token = getToken();
  const sent = { accept: 'application/json', ...headers };
  if (token) sent.authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    sent['content-type'] = contentType || 'application/json';
    payload = contentType ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: sent, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { message: t('error.network') });
  }
  if (res.status === 401 && path !== '/auth/login') {
    goToSignIn(true);
    throw new ApiError(401, { message: t('login.expired') });
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let data = text;
  if (text && (res.headers.get('content-type') || '').includes('json')) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    throw new ApiError(
      res.status,
      typeof data === 'object' ? data : { message: text || res.statusText },
      res.headers,
    );
  }
  return { status: res.status, body: data, headers: res.headers };
}

/** The body of a call (see request). */
export async function api(path, options) {
  return (await request(path, options)).body;
}

/** A GET that answers null for a 404: for routes of the API that a deployment may not have yet. */
export async function apiOptional(path) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

let clientConfig;
/** `{temporalUiUrl, temporalNamespace}` from the server, once per page. */
export function loadClientConfig() {
  clientConfig ??= api('/app/config.json').catch(() => ({
    temporalUiUrl: null,
    temporalNamespace: 'default',
  }));
  return clientConfig;
}

/** The workflow's page in the Temporal Web UI, or null when the UI's address is unknown. */
export function temporalWorkflowUrl(config, workflowId) {
  if (!config || !config.temporalUiUrl || !workflowId) return null;
  const ns = encodeURIComponent(config.temporalNamespace || 'default');
  return `${config.temporalUiUrl}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
}

/** What to tell the user about a failure, in words. */
export function errorText(err) {
  if (err instanceof ApiError) return err.message;
  return (err && err.message) || String(err);
}
