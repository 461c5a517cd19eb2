// Original file: proto/internalpb/internal.proto


export interface FetchKeysRequest {
  'fromNodeId'?: (string);
  'keys'?: (Buffer | Uint8Array | string)[];
  'chain'?: (number);
}

export interface FetchKeysRequest__Output {
  'fromNodeId': (string);
  'keys': (Buffer)[];
  'chain': (number);
}
