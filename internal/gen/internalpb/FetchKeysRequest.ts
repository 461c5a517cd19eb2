// Original file: proto/internalpb/internal.proto


export interface FetchKeysRequest {
  'fromNodeId'?: (string);
  'keys'?: (Buffer | Uint8Array | string)[];
}

export interface FetchKeysRequest__Output {
  'fromNodeId': (string);
  'keys': (Buffer)[];
}
