import { executeCommand, EncodedReply, type Reply } from '../../command/index.js';
import { GokvError, outOfMemory, unavailable } from '../../errors/index.js';
import { makeStore } from '../../store/testing/fixtures.js';
import { encodeReply } from '../../wire/index.js';
import type { RestCommand, RestCommandService, RestMember } from '../deps.js';

/**
 * A CommandService for REST tests: real commands on a real Store, plus a few names that
 * simulate what only a cluster does. `FORWARDED <cmd> <key> ...` answers with the MessagePack
 * encoding of `<cmd>`'s reply (as a forwarded command does); `ASYNC ...` answers through a
 * promise; keys `oom`, `down`, `uncertain` and `bug` fail with OOM, UNAVAILABLE, UNCERTAIN and a
 * plain Error. `seen` records every command as it arrived (to check decoding).
 */
export class FakeService implements RestCommandService {
  readonly store = makeStore().store;
  readonly seen: RestCommand[] = [];
  version = 3;
  memberList: RestMember[] = [
    { id: 'a', grpcAddr: '127.0.0.1:50051', internalAddr: '127.0.0.1:7946', restAddr: '127.0.0.1:8080', status: 'alive', incarnation: 5, keys: 0 },
    { id: 'b', grpcAddr: '127.0.0.1:50052', internalAddr: '127.0.0.1:7947', restAddr: '127.0.0.1:8081', status: 'suspect', incarnation: 9 },
  ];

  execute(command: RestCommand): Reply | Promise<Reply> {
    this.seen.push(command);
    const upper = command.name.toUpperCase();
    if (upper === 'ASYNC' || upper === 'FORWARDED') {
      const [name = '', ...args] = [command.key, ...command.args];
      const inner = { name, key: args[0] ?? '', args: args.slice(1) };
      if (upper === 'FORWARDED') return new EncodedReply(encodeReply(this.run(inner)));
      return new Promise((resolve, reject) => setImmediate(() => {
        try {
          resolve(this.run(inner));
        } catch (err) {
          reject(err);
        }
      }));
    }
    return this.run(command);
  }

  members(): RestMember[] {
    return this.memberList;
  }

  ringVersion(): number {
    return this.version;
  }

  private run(command: RestCommand): Reply {
    if (command.key === 'oom') throw outOfMemory();
    if (command.key === 'down') throw unavailable('no owner reachable for the key');
    if (command.key === 'uncertain') throw new GokvError('UNCERTAIN', 'ERR write may or may not have been applied');
    if (command.key === 'bug') throw new Error('an invariant broke');
    return executeCommand(this.store, command, { limits: { maxArgs: 100, maxValueBytes: 1024 } }).reply;
  }
}
