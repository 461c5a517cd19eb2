import * as grpc from '@grpc/grpc-js';
import { decodeReply, fromServiceError, loadProtos, type DecodedReply } from '../../internal/wire/index.js';
import type { ExternalServerClient } from '../../internal/gen/externalpb/ExternalServer.js';
import type { HealthcheckResponse__Output } from '../../internal/gen/externalpb/HealthcheckResponse.js';
import type { CommandResponse__Output } from '../../internal/gen/commonpb/CommandResponse.js';

/** A small external-API client for tests: run(cmd, key, ...args) -> decoded reply. */
export class TestClient {
  readonly raw: ExternalServerClient;

  constructor(
    readonly addr: string,
    credentials = grpc.credentials.createInsecure(),
  ) {
    const { external } = loadProtos();
    this.raw = new external.externalpb.ExternalServer(addr, credentials);
  }

  /**
   * RunCommand, retrying UNAVAILABLE for up to 3 s as well-behaved clients do (a leader being
   * replaced, or a node refreshing its view after a stall). Only gokv's own UNAVAILABLE (the
   * command was not applied) and a refused connection are retried: a dropped connection may
   * have carried the command, so retrying it could apply a push twice. Other errors reject.
   */
  async run(command: string, key = '', ...args: Array<string | Buffer>): Promise<DecodedReply> {
    const until = Date.now() + 3_000;
    for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
      try {
        return await this.runOnce(command, key, ...args);
      } catch (err) {
        const { code, transport, message } = err as { code?: string; transport?: boolean; message?: string };
        const retryable = code === 'UNAVAILABLE' && (transport === false || /No connection established/.test(message ?? ''));
        if (!retryable || Date.now() + pause > until) throw err;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  runOnce(command: string, key = '', ...args: Array<string | Buffer>): Promise<DecodedReply> {
    return new Promise((resolve, reject) => {
      this.raw.RunCommand(
        { command, key, args: args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a)) },
        { deadline: Date.now() + 10_000 },
        (err, res) => (err ? reject(fromServiceError(err)) : resolve(decodeReply(res!.response))),
      );
    });
  }

  /** Sends every request on one StreamCommand stream; resolves with the responses in order. */
  stream(requests: Array<{ command: string; key?: string; args?: Array<string | Buffer> }>): Promise<CommandResponse__Output[]> {
    return new Promise((resolve, reject) => {
      const call = this.raw.StreamCommand({ deadline: Date.now() + 20_000 });
      const out: CommandResponse__Output[] = [];
      call.on('data', (r: CommandResponse__Output) => out.push(r));
      call.on('error', reject);
      call.on('end', () => resolve(out));
      for (const r of requests) {
        call.write({ command: r.command, key: r.key ?? '', args: (r.args ?? []).map((a) => (typeof a === 'string' ? Buffer.from(a) : a)) });
      }
      call.end();
    });
  }

  health(): Promise<HealthcheckResponse__Output> {
    return new Promise((resolve, reject) => {
      this.raw.Healthcheck({}, { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  close(): void {
    this.raw.close();
  }
}

/** A decoded bulk value as text (Buffers from msgpack bin). */
export const text = (v: DecodedReply): string | null =>
  v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
