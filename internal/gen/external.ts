import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from './commonpb/CommandRequest.js';
import type { CommandResponse as _commonpb_CommandResponse, CommandResponse__Output as _commonpb_CommandResponse__Output } from './commonpb/CommandResponse.js';
import type { ExternalServerClient as _externalpb_ExternalServerClient, ExternalServerDefinition as _externalpb_ExternalServerDefinition } from './externalpb/ExternalServer.js';
import type { HealthcheckNode as _externalpb_HealthcheckNode, HealthcheckNode__Output as _externalpb_HealthcheckNode__Output } from './externalpb/HealthcheckNode.js';
import type { HealthcheckRequest as _externalpb_HealthcheckRequest, HealthcheckRequest__Output as _externalpb_HealthcheckRequest__Output } from './externalpb/HealthcheckRequest.js';
import type { HealthcheckResponse as _externalpb_HealthcheckResponse, HealthcheckResponse__Output as _externalpb_HealthcheckResponse__Output } from './externalpb/HealthcheckResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  commonpb: {
    CommandRequest: MessageTypeDefinition<_commonpb_CommandRequest, _commonpb_CommandRequest__Output>
    CommandResponse: MessageTypeDefinition<_commonpb_CommandResponse, _commonpb_CommandResponse__Output>
  }
  externalpb: {
    ExternalServer: SubtypeConstructor<typeof grpc.Client, _externalpb_ExternalServerClient> & { service: _externalpb_ExternalServerDefinition }
    HealthcheckNode: MessageTypeDefinition<_externalpb_HealthcheckNode, _externalpb_HealthcheckNode__Output>
    HealthcheckRequest: MessageTypeDefinition<_externalpb_HealthcheckRequest, _externalpb_HealthcheckRequest__Output>
    HealthcheckResponse: MessageTypeDefinition<_externalpb_HealthcheckResponse, _externalpb_HealthcheckResponse__Output>
  }
}

