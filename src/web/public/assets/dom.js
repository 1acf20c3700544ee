/* global document, Node, setTimeout, clearTimeout */
// Small DOM helpers shared by the pages: building elements, messages, and errors shown next to fields.
import { errorText } from './api.js';
import { t } from './i18n.js';

/**
 * `el('a', {href, class, text}, ...children)`. Attributes that are null, undefined or false are left out;
 * `onclick` and the like become listeners (never inline handlers: the Content-Security-Policy forbids them).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

/** Shows `text` in a message box (`kind`: error, success, info); hides the box when text is empty. */
export function showMessage(box, text, kind = 'error') {
  box.textContent = text || '';
  box.className = `message ${kind}`;
  box.hidden = !text;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

export function showError(box, err) {
  showMessage(box, errorText(err), 'error');
}

export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll('.field-error')) node.remove();
  for (const node of form.querySelectorAll('[aria-invalid]')) {
    node.removeAttribute('aria-invalid');
    node.removeAttribute('aria-describedby');
  }
}

/** "title must not be empty; unitId: no unit with this id" → [{field, reason}], by the leading field name. */
function problemsOf(err) {
  if (err.details && err.details.length)
    return err.details.map((d) => ({ field: d.field, reason: d.reason }));
  return String(err.message || '')
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      const match = /^([A-Za-z][\w.]*)(?::\s*|\s)/.exec(part);
      return { field: match ? match[1] : null, reason: part };
    });
}

function controlFor(form, field) {
  if (!field) return null;
  const names = [field, field.replace(/^calendar\./, ''), `calendar.${field}`];
  for (const name of names) {
    const control = form.elements.namedItem(name);
    if (control) return control;
  }
  return null;
}

/** The API's reason in the user's words where we know them ("title must not be empty" → "Không được để trống"). */
function reasonText(field, reason) {
  const bare = reason.startsWith(field) ? reason.slice(field.length).replace(/^:?\s*/, '') : reason;
  if (/^(must|should) not be empty$/.test(bare)) return t('validation.required');
  return reason;
}

/**
 * Puts each problem of a 400/422 next to its field (by the `details` list, or by the field name that starts
 * each part of the message). Answers the problems no field of the form matched, for a message box.
 */
export function showFieldErrors(form, err) {
  clearFieldErrors(form);
  const unplaced = [];
  for (const problem of problemsOf(err)) {
    const control = controlFor(form, problem.field);
    const target = control && (control.length !== undefined && !control.tagName ? control[0] : control);
    if (!target) {
      unplaced.push(problem.reason);
      continue;
    }
    const id = `error-${target.name || target.id}`.replace(/[^\w-]/g, '-');
    let box = form.querySelector(`#${id}`);
    if (!box) {
      box = el('p', { class: 'field-error', id, role: 'alert', dataset: { field: problem.field } });
      (target.closest('.field') || target.parentElement).append(box);
    }
    box.textContent = box.textContent
      ? `${box.textContent}; ${reasonText(problem.field, problem.reason)}`
      : reasonText(problem.field, problem.reason);
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', id);
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return unplaced;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** `<option>`s for a select: [[value, text], …]. */
export function options(select, pairs, selected) {
  select.replaceChildren(
    ...pairs.map(([value, text]) => el('option', { value, selected: value === selected }, text)),
  );
}

/** Disables the form's buttons while `work` runs. */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}
