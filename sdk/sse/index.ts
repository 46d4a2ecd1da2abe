// @sluice/sdk/sse: Server-sent events and AWS event-stream messages, read from chunks split anywhere (docs/sdk/sse.md).
export * from "./event";
export * from "./reader";
export * from "./writer";
export { EventStreamReader } from "../eventstream/reader";
export { EventStreamMessage, EventStreamHeader, HeaderType as EventStreamHeaderType } from "../eventstream/message";
export { encodeEventStreamMessage } from "../eventstream/writer";
