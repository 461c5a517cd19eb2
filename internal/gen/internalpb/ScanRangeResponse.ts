// Original file: proto/internalpb/internal.proto


export interface ScanRangeResponse {
  'keys'?: (Buffer | Uint8Array | string)[];
  'next'?: (number | string);
}

export interface ScanRangeResponse__Output {
  'keys': (Buffer)[];
  'next': (number);
}
