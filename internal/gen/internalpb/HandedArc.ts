// Original file: proto/internalpb/internal.proto


export interface HandedArc {
  'from'?: (number | string);
  'to'?: (number | string);
}

export interface HandedArc__Output {
  'from': (number);
  'to': (number);
}
