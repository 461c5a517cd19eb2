// Original file: proto/internalpb/internal.proto


export interface KeyDigestsRequest {
  'keys'?: (Buffer | Uint8Array | string)[];
}

export interface KeyDigestsRequest__Output {
  'keys': (Buffer)[];
}
