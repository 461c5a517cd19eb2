import { CallFailure } from './call-errors.js';
import type { CliClient } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { formatJson } from './format-json.js';
import type { CliIo } from './io.js';
import type { Printer } from './output.js';
import { statusJson, statusTable, toStatusView, type StatusView } from './status-view.js';

/**
 * Deadline of asking one other member for its key count and hand-off (at most --timeout): a
 * member that is hung (TCP accepted, never answered) keeps `-` instead of holding the whole
 * table up. The dashboard gives up on the same question after 500 ms too.
 */
export const PEER_STATUS_TIMEOUT_MS = 500;

/**
 * `gokv-cli status`: the answering node's member table and ring version. A node knows only its
 * own key count and hand-off, so each other live member is asked for its own (within
 * PEER_STATUS_TIMEOUT_MS; a member that does not answer keeps `-`).
 */
export async function statusCommand(
  client: CliClient,
  json: boolean,
  io: CliIo,
  printer: Printer,
  clientFor?: (uri: string) => CliClient,
): Promise<ExitCode> {
  try {
    const view = toStatusView(await client.healthcheck());
    if (clientFor) await fillKeyCounts(view, clientFor);
    io.stdout.write(json ? formatJson(statusJson(view), true) : statusTable(view));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? EXIT.connection : EXIT.replyError;
  }
}

async function fillKeyCounts(view: StatusView, clientFor: (uri: string) => CliClient): Promise<void> {
  await Promise.all(
    view.members.slice(1).map(async (member) => {
      if (member.keys !== null || member.grpcAddr === null) return;
      if (member.status !== 'alive' && member.status !== 'suspect') return;
      const peer = clientFor(member.grpcAddr);
      try {
        const own = toStatusView(await peer.healthcheck()).members[0];
        if (own !== undefined && own.id === member.id) {
          member.keys = own.keys;
          member.handOff = own.handOff;
        }
      } catch {
        // Unreachable from here (e.g. an address only valid inside a container network).
      } finally {
        peer.close();
      }
    }),
  );
}
