// Original file: proto/internalpb/internal.proto


export interface ScanRangeRequest {
  'from'?: (number | string);
  'to'?: (number | string);
  'args'?: (Buffer | Uint8Array | string)[];
  'fromNodeId'?: (string);
  'chain'?: (number);
}

export interface ScanRangeRequest__Output {
  'from': (number);
  'to': (number);
  'args': (Buffer)[];
  'fromNodeId': (string);
  'chain': (number);
}
