// Original file: proto/internalpb/internal.proto


export interface ReplicateAck {
  'ackedSeq'?: (number | string);
  'resyncKeys'?: (Buffer | Uint8Array | string)[];
}

export interface ReplicateAck__Output {
  'ackedSeq': (number);
  'resyncKeys': (Buffer)[];
}
