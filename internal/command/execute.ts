import { keyTooLarge, outOfMemory, overLimit, unknownCommand, wrongArity } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { RING_END, VALUE_WIRE_OVERHEAD_BYTES } from '../store/index.js';
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
 * arity (an empty key counts as missing, since proto3 cannot tell them apart), then memory and
 * the key's size for commands that may grow them. Errors are thrown as GokvError with Redis's
 * wording.
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
  const maxKeyBytes = options.version === undefined ? (options.limits?.maxKeyBytes ?? 0) : 0;
  // One command, one instant (as Redis): a key it reads twice cannot expire in between.
  const began = store.beginInstant();
  try {
    if (spec.flags.denyOom) {
      makeRoom(store, options);
      if (maxKeyBytes > 0) checkKeyGrowth(store, request, maxKeyBytes);
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
      maxKeyBytes,
    });
  } finally {
    store.endInstant(began);
  }
}

/**
 * Makes room for a write that may grow memory, or refuses it with OOM as Redis does; a replica
 * applying its leader's write is never refused (that would diverge). When the caller made room
 * already (`options.room`), only its outcome counts.
 */
function makeRoom(store: Store, options: ExecuteOptions): void {
  if (options.room !== undefined) {
    if (!options.room && options.version === undefined) throw outOfMemory();
  } else if (options.version === undefined) {
    store.ensureMemory();
  } else {
    store.evictToLimit();
  }
}

/** What one write may add to its key beyond its arguments' bytes: a number it formats (HINCRBYFLOAT's, up to 5 KiB). */
const WRITE_GROWTH_SLACK_BYTES = 8 * 1024;

/**
 * Refuses (LIMIT), before it runs, a write that could grow its key's state past `maxKeyBytes`:
 * a key that no longer fits one message could not be replicated, handed off or pulled. The
 * growth is bounded from the request (every argument counted, as if all went into the key),
 * so a write may be refused a little before the key would really cross the bound.
 */
function checkKeyGrowth(store: Store, request: CommandRequest, maxKeyBytes: number): void {
  let growth = WRITE_GROWTH_SLACK_BYTES;
  for (const a of request.args) growth += a.length + VALUE_WIRE_OVERHEAD_BYTES;
  if (!store.fitsAfter(request.key, growth, maxKeyBytes)) throw keyTooLarge();
}

/**
 * Refuses (LIMIT) a request over limits.max_args (which counts the arguments after the key) or
 * limits.max_value_bytes (0 = no limit).
 */
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
