// Original file: proto/internalpb/internal.proto


export interface KeyDigestEntry {
  'key'?: (Buffer | Uint8Array | string);
  'exists'?: (boolean);
  'version'?: (number | string);
  'type'?: (string);
  'expireAtMs'?: (number | string);
  'digest'?: (string);
}

export interface KeyDigestEntry__Output {
  'key': (Buffer);
  'exists': (boolean);
  'version': (number);
  'type': (string);
  'expireAtMs': (number);
  'digest': (string);
}
