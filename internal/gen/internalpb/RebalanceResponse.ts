// Original file: proto/internalpb/internal.proto


export interface RebalanceResponse {
  'success'?: (boolean);
  'applied'?: (number);
}

export interface RebalanceResponse__Output {
  'success': (boolean);
  'applied': (number);
}
