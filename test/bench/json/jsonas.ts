// Benchmark module: json-as 1.6.0 (compiled with --transform json-as). Two styles: typed structs
// (fastest, but unknown fields are dropped — a gateway would lose them) and dynamic JSON.Obj.
// json-as works on UTF-16 strings, so the body is decoded and re-encoded as in a real plugin.
import { JSON } from "json-as";

@json
class Message {
  role: string = "";
  content: string = "";
}

@json
class ChatRequest {
  model: string = "";
  messages: Message[] = [];
  temperature: f64 = 0;
  max_tokens: i32 = 0;
  stream: bool = false;
  user: string = "";
}

export function parseEditSerialize(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const req = JSON.parse<ChatRequest>(String.UTF8.decode(body));
    req.model = "qwen-max";
    n = String.UTF8.encode(JSON.stringify<ChatRequest>(req)).byteLength;
  }
  return n;
}

export function parseEditSerializeDynamic(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const o = JSON.parse<JSON.Obj>(String.UTF8.decode(body));
    o.set<string>("model", "qwen-max");
    n = String.UTF8.encode(JSON.stringify<JSON.Obj>(o)).byteLength;
  }
  return n;
}

export function editOnce(body: ArrayBuffer): ArrayBuffer {
  const req = JSON.parse<ChatRequest>(String.UTF8.decode(body));
  req.model = "qwen-max";
  return String.UTF8.encode(JSON.stringify<ChatRequest>(req));
}

export function editOnceDynamic(body: ArrayBuffer): ArrayBuffer {
  const o = JSON.parse<JSON.Obj>(String.UTF8.decode(body));
  o.set<string>("model", "qwen-max");
  return String.UTF8.encode(JSON.stringify<JSON.Obj>(o));
}
