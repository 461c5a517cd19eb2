// Original file: proto/commonpb/common.proto


export interface CommandResponse {
  'response'?: (Buffer | Uint8Array | string);
  'error'?: (string);
}

export interface CommandResponse__Output {
  'response': (Buffer);
  'error': (string);
}
