// Original file: proto/internalpb/internal.proto


export interface KeyState {
  'key'?: (Buffer | Uint8Array | string);
  'type'?: (string);
  'value'?: (Buffer | Uint8Array | string)[];
  'expireAtMs'?: (number | string);
  'version'?: (number | string);
  'deleted'?: (boolean);
}

export interface KeyState__Output {
  'key': (Buffer);
  'type': (string);
  'value': (Buffer)[];
  'expireAtMs': (number);
  'version': (number);
  'deleted': (boolean);
}
