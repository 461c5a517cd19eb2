import { CallFailure } from './call-errors.js';
import type { CliClient } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { explainText } from './explain-view.js';
import { formatJson, toJson } from './format-json.js';
import type { CliIo } from './io.js';
import type { Printer } from './output.js';

/**
 * `gokv-cli explain KEY`: the EXPLAIN command (leader, replicas, type, TTL, whether the answering
 * node holds a copy), as aligned lines or, with --json, the reply as JSON.
 */
export async function explainCommand(client: CliClient, key: string, json: boolean, io: CliIo, printer: Printer): Promise<ExitCode> {
  try {
    const reply = await client.run({ command: 'EXPLAIN', key, args: [] });
    io.stdout.write(json ? formatJson(toJson(reply), true) : explainText(reply));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? EXIT.connection : EXIT.replyError;
  }
}
