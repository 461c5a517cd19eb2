// Original file: proto/externalpb/external.proto

import type { HealthcheckNode as _externalpb_HealthcheckNode, HealthcheckNode__Output as _externalpb_HealthcheckNode__Output } from '../externalpb/HealthcheckNode.js';
import type { Long } from '@grpc/proto-loader';

export interface HealthcheckResponse {
  'peers'?: (_externalpb_HealthcheckNode)[];
  'ringVersion'?: (number | string | Long);
}

export interface HealthcheckResponse__Output {
  'peers': (_externalpb_HealthcheckNode__Output)[];
  'ringVersion': (string);
}
