import { overLimit, unknownCommand, wrongArity } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { RING_END } from '../store/index.js';
import type {
  CommandLimits,
  CommandRequest,
  CommandResult,
  CommandSpec,
  ExecuteOptions,
  ScanRange,
} from './spec.js';
import { lookupCommand } from './table.js';

const WHOLE_RING: ScanRange = Object.freeze({ from: 0, to: RING_END });

/**
 * Runs one command on the store. Checks, in order: known command, limits (before any work),
 * arity (an empty key counts as missing, since proto3 cannot tell them apart), then memory for
 * commands that may grow it. Errors are thrown as GokvError with Redis's wording.
 *
 * With `options.version` (a replica applying its leader's effect) the write is stamped with
 * that version, and memory is made by eviction but never refused: refusing would diverge.
 */
export function executeCommand(
  store: Store,
  request: CommandRequest,
  options: ExecuteOptions = {},
): CommandResult {
  const spec = lookupCommand(request.name);
  if (spec === undefined) throw unknownCommand(request.name);
  if (options.limits !== undefined) checkLimits(request, options.limits);
  return executeSpec(store, spec, request, options);
}

/**
 * executeCommand after its first two checks: for a caller that has already looked the command
 * up and checked its limits (the router does both before it routes), so a local command does
 * neither twice.
 */
export function executeSpec(
  store: Store,
  spec: CommandSpec,
  request: CommandRequest,
  options: ExecuteOptions,
): CommandResult {
  const hasKey = request.key !== '';
  if (!hasKey && !spec.flags.keyless) throw wrongArity(spec.name);
  const argc = (hasKey ? 2 : 1) + request.args.length;
  if (spec.arity >= 0 ? argc !== spec.arity : argc < -spec.arity) throw wrongArity(spec.name);
  if (spec.flags.denyOom) {
    if (options.version === undefined) store.ensureMemory();
    else store.evictToLimit();
  }
  return spec.run({
    store,
    name: spec.name,
    key: request.key,
    args: request.args,
    version: options.version,
    scanRange: options.scanRange ?? WHOLE_RING,
    maxValueBytes: options.limits?.maxValueBytes ?? 0,
    maxArgs: options.limits?.maxArgs ?? 0,
    maxReplyBytes: options.limits?.maxReplyBytes ?? 0,
  });
}

/** `limits.max_args` counts the arguments after the key; a limit of 0 means none. */
/** Refuses (LIMIT) a request over limits.max_args or limits.max_value_bytes (0 = no limit). */
export function checkLimits(request: CommandRequest, limits: CommandLimits): void {
  const { maxArgs, maxValueBytes } = limits;
  if (maxArgs > 0 && request.args.length > maxArgs) {
    throw overLimit(`too many arguments: ${request.args.length} > limits.max_args (${maxArgs})`);
  }
  if (maxValueBytes <= 0) return;
  let longest = request.key.length;
  for (const a of request.args) if (a.length > longest) longest = a.length;
  if (longest > maxValueBytes) {
    throw overLimit(`argument of ${longest} bytes > limits.max_value_bytes (${maxValueBytes})`);
  }
}
