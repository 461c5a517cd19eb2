// Original file: proto/externalpb/external.proto


export interface HealthcheckRequest {
}

export interface HealthcheckRequest__Output {
}
