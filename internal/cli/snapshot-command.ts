import { CallFailure } from './call-errors.js';
import type { CliClient } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { formatJson, toJson } from './format-json.js';
import type { CliIo } from './io.js';
import type { Printer } from './output.js';

/** A snapshot of a large node takes seconds: the default deadline when --timeout is not given. */
export const SNAPSHOT_TIMEOUT_MS = 120_000;

/** What `gokv-cli snapshot` reports. */
export interface SnapshotView {
  path: string;
  bytes: number;
  keys: number;
  durationMs: number;
}

/**
 * `gokv-cli snapshot`: asks the node it talks to for a snapshot now (the keyless `SNAPSHOT`
 * command, answered by that node, never forwarded) and prints where it went, its size, keys and
 * how long it took. Exit 1 when the node could not write it, 3 when it could not be reached.
 */
export async function snapshotCommand(client: CliClient, json: boolean, io: CliIo, printer: Printer): Promise<ExitCode> {
  try {
    const view = toSnapshotView(await client.run({ command: 'SNAPSHOT', key: '', args: [] }));
    io.stdout.write(json ? formatJson({ ...view }, true) : snapshotText(view));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? EXIT.connection : EXIT.replyError;
  }
}

/** The reply map `{path, bytes, keys, durationMs}` as plain values; anything else is a reply error. */
export function toSnapshotView(reply: Parameters<typeof toJson>[0]): SnapshotView {
  const json = toJson(reply);
  const ok =
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    typeof json.path === 'string' &&
    typeof json.bytes === 'number' &&
    typeof json.keys === 'number' &&
    typeof json.durationMs === 'number';
  if (!ok) throw new CallFailure('reply', 'ERR unexpected reply to SNAPSHOT (is the server a gokv with snapshots?)');
  return { path: json.path as string, bytes: json.bytes as number, keys: json.keys as number, durationMs: json.durationMs as number };
}

export function snapshotText(view: SnapshotView): string {
  return [
    `path      ${view.path}`,
    `size      ${view.bytes} bytes (${humanBytes(view.bytes)})`,
    `keys      ${view.keys}`,
    `duration  ${view.durationMs} ms`,
    '',
  ].join('\n');
}

function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
