// Original file: proto/externalpb/external.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from '../commonpb/CommandRequest.js';
import type { CommandResponse as _commonpb_CommandResponse, CommandResponse__Output as _commonpb_CommandResponse__Output } from '../commonpb/CommandResponse.js';
import type { HealthcheckRequest as _externalpb_HealthcheckRequest, HealthcheckRequest__Output as _externalpb_HealthcheckRequest__Output } from '../externalpb/HealthcheckRequest.js';
import type { HealthcheckResponse as _externalpb_HealthcheckResponse, HealthcheckResponse__Output as _externalpb_HealthcheckResponse__Output } from '../externalpb/HealthcheckResponse.js';

export interface ExternalServerClient extends grpc.Client {
  Healthcheck(argument: _externalpb_HealthcheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  Healthcheck(argument: _externalpb_HealthcheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  Healthcheck(argument: _externalpb_HealthcheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  Healthcheck(argument: _externalpb_HealthcheckRequest, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  healthcheck(argument: _externalpb_HealthcheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  healthcheck(argument: _externalpb_HealthcheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  healthcheck(argument: _externalpb_HealthcheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  healthcheck(argument: _externalpb_HealthcheckRequest, callback: grpc.requestCallback<_externalpb_HealthcheckResponse__Output>): grpc.ClientUnaryCall;
  
  RunCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  RunCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  RunCommand(argument: _commonpb_CommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  RunCommand(argument: _commonpb_CommandRequest, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  runCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  runCommand(argument: _commonpb_CommandRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  runCommand(argument: _commonpb_CommandRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  runCommand(argument: _commonpb_CommandRequest, callback: grpc.requestCallback<_commonpb_CommandResponse__Output>): grpc.ClientUnaryCall;
  
  StreamCommand(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_commonpb_CommandRequest, _commonpb_CommandResponse__Output>;
  StreamCommand(options?: grpc.CallOptions): grpc.ClientDuplexStream<_commonpb_CommandRequest, _commonpb_CommandResponse__Output>;
  streamCommand(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_commonpb_CommandRequest, _commonpb_CommandResponse__Output>;
  streamCommand(options?: grpc.CallOptions): grpc.ClientDuplexStream<_commonpb_CommandRequest, _commonpb_CommandResponse__Output>;
  
}

export interface ExternalServerHandlers extends grpc.UntypedServiceImplementation {
  Healthcheck: grpc.handleUnaryCall<_externalpb_HealthcheckRequest__Output, _externalpb_HealthcheckResponse>;
  
  RunCommand: grpc.handleUnaryCall<_commonpb_CommandRequest__Output, _commonpb_CommandResponse>;
  
  StreamCommand: grpc.handleBidiStreamingCall<_commonpb_CommandRequest__Output, _commonpb_CommandResponse>;
  
}

export interface ExternalServerDefinition extends grpc.ServiceDefinition {
  Healthcheck: MethodDefinition<_externalpb_HealthcheckRequest, _externalpb_HealthcheckResponse, _externalpb_HealthcheckRequest__Output, _externalpb_HealthcheckResponse__Output>
  RunCommand: MethodDefinition<_commonpb_CommandRequest, _commonpb_CommandResponse, _commonpb_CommandRequest__Output, _commonpb_CommandResponse__Output>
  StreamCommand: MethodDefinition<_commonpb_CommandRequest, _commonpb_CommandResponse, _commonpb_CommandRequest__Output, _commonpb_CommandResponse__Output>
}
