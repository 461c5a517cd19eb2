// Original file: proto/externalpb/external.proto

import type { Long } from '@grpc/proto-loader';

export interface HealthcheckNode {
  'nodeId'?: (string);
  'nodeAddr'?: (string);
  'alive'?: (boolean);
  'status'?: (string);
  'internalAddr'?: (string);
  'restAddr'?: (string);
  'keys'?: (number | string | Long);
  'ringVersion'?: (number | string | Long);
  'incarnation'?: (number | string | Long);
  'handoffKeysPending'?: (number | string | Long);
  'handoffBytesPending'?: (number | string | Long);
  'arcsArriving'?: (number);
  'writesRefused'?: (string);
  'replicationLagOps'?: ({[key: string]: number | string | Long});
}

export interface HealthcheckNode__Output {
  'nodeId': (string);
  'nodeAddr': (string);
  'alive': (boolean);
  'status': (string);
  'internalAddr': (string);
  'restAddr': (string);
  'keys': (string);
  'ringVersion': (string);
  'incarnation': (string);
  'handoffKeysPending': (string);
  'handoffBytesPending': (string);
  'arcsArriving': (number);
  'writesRefused': (string);
  'replicationLagOps': ({[key: string]: string});
}
