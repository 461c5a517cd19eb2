// Original file: proto/internalpb/internal.proto


export interface KeyDigest {
  'key'?: (Buffer | Uint8Array | string);
  'version'?: (number | string);
}

export interface KeyDigest__Output {
  'key': (Buffer);
  'version': (number);
}
