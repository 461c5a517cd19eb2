// Original file: proto/internalpb/internal.proto


export interface ForwardReply {
  'id'?: (number | string);
  'response'?: (Buffer | Uint8Array | string);
  'error'?: (string);
  'errorCode'?: (string);
}

export interface ForwardReply__Output {
  'id': (number);
  'response': (Buffer);
  'error': (string);
  'errorCode': (string);
}
