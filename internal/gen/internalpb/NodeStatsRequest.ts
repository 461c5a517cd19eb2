// Original file: proto/internalpb/internal.proto


export interface NodeStatsRequest {
}

export interface NodeStatsRequest__Output {
}
