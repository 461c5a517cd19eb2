import * as grpc from '@grpc/grpc-js';
import type { CommandRequest__Output } from '../../gen/commonpb/CommandRequest.js';
import type { HealthcheckResponse } from '../../gen/externalpb/HealthcheckResponse.js';
import { loadProtos } from '../../wire/index.js';

/** What the fake answers to one command: reply bytes (msgpack), a gRPC error, or never (a hung node). */
export type FakeAnswer = { reply: Uint8Array } | { error: { code: grpc.status; details: string; gokvCode?: string } } | { never: true };

export interface FakeServerOptions {
  answer: (req: CommandRequest__Output) => FakeAnswer;
  /** The Healthcheck answer; 'never' leaves every Healthcheck unanswered (a hung member). */
  health?: HealthcheckResponse | 'never';
  credentials?: grpc.ServerCredentials;
}

export interface FakeServer {
  /** `127.0.0.1:<port>` */
  addr: string;
  port: number;
  /** Every RunCommand request received, in order. */
  calls: CommandRequest__Output[];
  /** For every call received (RunCommand, Healthcheck), the ms its deadline left it on arrival. */
  budgetsMs: number[];
  close(): Promise<void>;
}

/** A real gRPC ExternalServer on 127.0.0.1:0 with canned answers, for client tests. */
export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const { ExternalServer } = loadProtos().external.externalpb;
  const calls: CommandRequest__Output[] = [];
  const budgetsMs: number[] = [];
  const budget = (call: grpc.ServerUnaryCall<unknown, unknown>) => {
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline; // Infinity: none
    budgetsMs.push(at - Date.now());
  };
  const server = new grpc.Server();
  server.addService(ExternalServer.service, {
    RunCommand: (call: grpc.ServerUnaryCall<CommandRequest__Output, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      calls.push(call.request);
      budget(call);
      const answer = options.answer(call.request);
      if ('never' in answer) return;
      if ('reply' in answer) return callback(null, { response: Buffer.from(answer.reply) });
      const metadata = new grpc.Metadata();
      if (answer.error.gokvCode !== undefined) metadata.set('gokv-error-code', answer.error.gokvCode);
      callback({ code: answer.error.code, details: answer.error.details, metadata });
    },
    Healthcheck: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      budget(call);
      if (options.health !== 'never') callback(null, options.health ?? { peers: [] });
    },
    StreamCommand: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return {
    addr: `127.0.0.1:${port}`,
    port,
    calls,
    budgetsMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Clients are closed by runCli; anything left is cut so no test waits on it.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
