import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from './commonpb/CommandRequest.js';
import type { CommandResponse as _commonpb_CommandResponse, CommandResponse__Output as _commonpb_CommandResponse__Output } from './commonpb/CommandResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  commonpb: {
    CommandRequest: MessageTypeDefinition<_commonpb_CommandRequest, _commonpb_CommandRequest__Output>
    CommandResponse: MessageTypeDefinition<_commonpb_CommandResponse, _commonpb_CommandResponse__Output>
  }
}

