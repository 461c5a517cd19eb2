// Original file: proto/internalpb/internal.proto


export interface HandOffStats {
  'keysPlanned'?: (number | string);
  'keysSent'?: (number | string);
  'bytesPlanned'?: (number | string);
  'bytesSent'?: (number | string);
  'elapsedMs'?: (number | string);
}

export interface HandOffStats__Output {
  'keysPlanned': (number);
  'keysSent': (number);
  'bytesPlanned': (number);
  'bytesSent': (number);
  'elapsedMs': (number);
}
