// Original file: proto/internalpb/internal.proto


export interface ForwardedCommand {
  'id'?: (number | string);
  'command'?: (string);
  'key'?: (Buffer | Uint8Array | string);
  'args'?: (Buffer | Uint8Array | string)[];
  'hops'?: (number);
  'replicaRead'?: (boolean);
}

export interface ForwardedCommand__Output {
  'id': (number);
  'command': (string);
  'key': (Buffer);
  'args': (Buffer)[];
  'hops': (number);
  'replicaRead': (boolean);
}
