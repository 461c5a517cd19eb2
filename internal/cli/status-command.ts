import { CallFailure } from './call-errors.js';
import type { CliClient } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { formatJson } from './format-json.js';
import type { CliIo } from './io.js';
import type { Printer } from './output.js';
import { statusJson, statusTable, toStatusView } from './status-view.js';

/** `gokv-cli status`: the answering node's member table and ring version. */
export async function statusCommand(client: CliClient, json: boolean, io: CliIo, printer: Printer): Promise<ExitCode> {
  try {
    const view = toStatusView(await client.healthcheck());
    io.stdout.write(json ? formatJson(statusJson(view), true) : statusTable(view));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? EXIT.connection : EXIT.replyError;
  }
}
