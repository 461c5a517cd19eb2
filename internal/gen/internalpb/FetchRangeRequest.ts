// Original file: proto/internalpb/internal.proto


export interface FetchRangeRequest {
  'fromNodeId'?: (string);
  'forNodeId'?: (string);
  'from'?: (number | string);
  'to'?: (number | string);
}

export interface FetchRangeRequest__Output {
  'fromNodeId': (string);
  'forNodeId': (string);
  'from': (number);
  'to': (number);
}
