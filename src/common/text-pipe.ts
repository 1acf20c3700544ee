import { BadRequestException, type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { unprocessable } from './http-errors';
import { cleanText } from './text';

/** Deeper JSON than this is no request of this API, and walking it must not exhaust the stack. */
export const MAX_INPUT_DEPTH = 32;

/** Secrets are compared as sent: never trimmed or normalized (only refused for control characters). */
const VERBATIM_KEYS = new Set(['password', 'currentPassword']);

/**
 * The text rule of `cleanText` applied to every string (and object key) of every body, query string and
 * path parameter, before the DTOs are validated: one way for every route, new ones included. A refused
 * string is a 422 naming the field, e.g. `title must not contain control characters (found U+0000 …)`.
 */
@Injectable()
export class TextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // 'custom' is the request itself, headers and the signed-in user: not the client's text.
    if (metadata.type === 'custom') return value;
    return clean(value, metadata.data ?? '', 0);
  }
}

function clean(value: unknown, field: string, depth: number): unknown {
  if (typeof value === 'string') {
    const leaf = field.slice(field.lastIndexOf('.') + 1);
    const r = cleanText(value, { verbatim: VERBATIM_KEYS.has(leaf) });
    if (!r.ok) throw unprocessable([{ field: field || 'value', reason: r.reason }]);
    return r.value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_INPUT_DEPTH) {
    throw new BadRequestException(`${field || 'body'} is nested more than ${MAX_INPUT_DEPTH} levels deep`);
  }
  if (Array.isArray(value)) return value.map((v, i) => clean(v, `${field}[${i}]`, depth + 1));
  // fromEntries defines own properties: a `__proto__` key stays a key (then an unknown field), never a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      const name = field ? `${field}.${key}` : key;
      const k = cleanText(key);
      if (!k.ok) throw unprocessable([{ field: name, reason: `has a name that ${k.reason}` }]);
      return [k.value, clean(v, name, depth + 1)];
    }),
  );
}
