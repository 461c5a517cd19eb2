// rest/ owns the REST API: createApp(deps, options) builds an express app (no listen here) whose
// handlers decode JSON, call the node's CommandService and encode replies, and map GokvError
// codes to HTTP statuses. It also serves the dashboard page (dashboard/: static files) and its
// JSON routes. Layer L3: it imports express, command/ (reply types), store/ (byte helpers), wire/
// (MessagePack decoding), errors/ and log/ types; never router/, ring/, server/, metrics/ or node/
// (metrics, readiness and the dashboard's figures come in as deps).
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
export type { DashboardSource, HandOffFigures, MemberFigures, RingView } from './dashboard-deps.js';
export { DASHBOARD_DIR } from './dashboard-routes.js';
export { handOffJson, type HandOffJson } from './hand-off-json.js';
export { HTTP_STATUS_BY_CODE, errorAnswer, type ErrorAnswer } from './error-status.js';
export { replyToGoJson, replyToJson, type JsonValue, type RestEncoding } from './reply-json.js';
