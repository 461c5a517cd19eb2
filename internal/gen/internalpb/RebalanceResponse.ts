// Original file: proto/internalpb/internal.proto


export interface RebalanceResponse {
  'success'?: (boolean);
  'applied'?: (number);
  'missing'?: (Buffer | Uint8Array | string)[];
  'arriving'?: (Buffer | Uint8Array | string)[];
}

export interface RebalanceResponse__Output {
  'success': (boolean);
  'applied': (number);
  'missing': (Buffer)[];
  'arriving': (Buffer)[];
}
