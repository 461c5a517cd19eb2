// Original file: proto/commonpb/common.proto


export interface CommandRequest {
  'command'?: (string);
  'key'?: (string);
  'args'?: (Buffer | Uint8Array | string)[];
}

export interface CommandRequest__Output {
  'command': (string);
  'key': (string);
  'args': (Buffer)[];
}
