import type { NextFunction, Request, Response } from 'express';

/** The largest JSON body accepted; a CSV import has its own limit (src/imports/read-body.ts). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** What body-parser can decode; anything else is refused before a byte is read. */
export const CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'];

function send(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ statusCode: status, error, message });
}

/** 415 for a `Content-Encoding` this API cannot decode, whatever the route and content type. */
export function refuseUnknownEncoding(req: Request, res: Response, next: NextFunction): void {
  const raw = req.headers['content-encoding'];
  if (raw === undefined) return next();
  const codings = raw
    .toLowerCase()
    .split(',')
    .map((c) => c.trim());
  if (codings.length === 1 && CONTENT_ENCODINGS.includes(codings[0])) return next();
  // The body is not read: ask the client to close, so it cannot hold the connection with it.
  res.setHeader('Connection', 'close');
  send(
    res,
    415,
    'Unsupported Media Type',
    `Content-Encoding ${JSON.stringify(raw).slice(0, 80)} is not supported; send one of ${CONTENT_ENCODINGS.join(', ')}`,
  );
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  charset?: string;
  encoding?: string;
}

/**
 * body-parser's errors as `{ statusCode, error, message }` naming the body: they happen before Nest's
 * router, so the HttpErrorFilter never sees them (and express's default handler answers in HTML).
 */
export function bodyErrors(err: BodyParserError, _req: Request, res: Response, next: NextFunction): void {
  const status = err?.status ?? 0;
  if (res.headersSent || (typeof err?.type !== 'string' && !(status >= 400 && status < 500)))
    return next(err);
  switch (err.type) {
    case 'entity.too.large':
      return send(res, 413, 'Payload Too Large', `body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB`);
    case 'charset.unsupported':
      return send(
        res,
        415,
        'Unsupported Media Type',
        `body charset ${JSON.stringify(err.charset ?? '').slice(0, 40)} is not supported; send UTF-8`,
      );
    case 'encoding.unsupported':
      return send(
        res,
        415,
        'Unsupported Media Type',
        `Content-Encoding is not supported; send one of ${CONTENT_ENCODINGS.join(', ')}`,
      );
    case 'entity.parse.failed':
      return send(res, 400, 'Bad Request', `body is not valid JSON: ${err.message.slice(0, 200)}`);
    default:
      // request.aborted, request.size.invalid, a corrupt gzip stream...: the client's body, never our fault.
      return send(res, 400, 'Bad Request', `body could not be read: ${err.message.slice(0, 200)}`);
  }
}
