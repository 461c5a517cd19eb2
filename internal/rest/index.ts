// rest/ owns the REST API: createApp(deps, options) builds an express app (no listen here) whose
// handlers decode JSON, call the node's CommandService and encode replies, and map GokvError
// codes to HTTP statuses. Layer L3: it imports express, command/ (reply types), store/ (byte
// helpers), wire/ (MessagePack decoding), errors/ and log/ types; never router/, ring/, server/,
// metrics/ or node/ (metrics and readiness come in as deps).
export { createApp, ENCODING_HEADER } from './app.js';
export type {
  MetricsExposition,
  NodeSummary,
  RestCommand,
  RestCommandService,
  RestDeps,
  RestMember,
  RestOptions,
} from './deps.js';
export { HTTP_STATUS_BY_CODE, errorAnswer, type ErrorAnswer } from './error-status.js';
export { replyToGoJson, replyToJson, type JsonValue, type RestEncoding } from './reply-json.js';
