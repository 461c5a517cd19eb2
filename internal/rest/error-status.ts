import { isGokvError, toGokvError, type ErrorCode } from '../errors/index.js';

/**
 * HTTP status per GokvError code. Client errors are 4xx (the Go gokv answered 500); WRONGTYPE is
 * 409 Conflict (the request is valid but conflicts with the key's current type); OOM is 507
 * Insufficient Storage; UNCERTAIN (a write that may or may not be applied) is 504, as gRPC's
 * DEADLINE_EXCEEDED. Only INTERNAL, a bug, is 500.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  ERR: 400,
  LIMIT: 400,
  WRONGTYPE: 409,
  OOM: 507,
  UNAVAILABLE: 503,
  UNCERTAIN: 504,
  INTERNAL: 500,
};

export interface ErrorAnswer {
  readonly status: number;
  readonly body: { readonly error: string; readonly code: string };
}

/** What body-parser and express attach to the errors they raise. */
interface HttpError {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
}

const PARSER_MESSAGES: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'ERR malformed JSON body',
  'entity.too.large': 'ERR request body over the size limit',
  'encoding.unsupported': 'ERR unsupported content encoding',
  'charset.unsupported': 'ERR unsupported charset (send UTF-8 JSON)',
  'request.aborted': 'ERR request aborted',
  'request.size.invalid': 'ERR request size did not match Content-Length',
  'entity.verify.utf8': 'ERR body is not valid UTF-8 (send bytes as base64 with "encoding": "base64")',
  'entity.verify.depth': 'ERR JSON body nested too deep',
  'entity.verify.size': 'ERR JSON body holds more values than any request needs',
  'entity.verify.object': 'ERR request body must be a JSON object',
};

/**
 * Any error thrown on a request as a status and `{error, code}`. A GokvError keeps its message
 * (Redis wording); a body-parser error gets a fixed message that never echoes the body; anything
 * else is INTERNAL with no detail (it is logged by the caller, without keys or values).
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (isGokvError(err)) return { status: HTTP_STATUS_BY_CODE[err.code], body: { error: err.message, code: err.code } };
  const http = (typeof err === 'object' && err !== null ? err : {}) as HttpError;
  const status = http.status ?? http.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = status === 413 ? 'LIMIT' : 'ERR';
    return { status, body: { error: PARSER_MESSAGES[http.type ?? ''] ?? `ERR bad request (${status})`, code } };
  }
  const internal = toGokvError(err);
  return { status: 500, body: { error: 'INTERNAL server error', code: internal.code } };
}
