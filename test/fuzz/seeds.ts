// Starting points for the fuzzer: a few valid configurations per plugin (mutated from there),
// bodies in the shapes the AI plugins parse, and header values the auth plugins look at.
// A plugin without seeds is fuzzed with `{}` and with every other plugin's configurations.

export const CONFIG_SEEDS: Record<string, unknown[]> = {
  waf: [
    { secRules: ["SecRuleEngine On", "SecRequestBodyAccess On", 'SecRule ARGS|REQUEST_HEADERS:User-Agent "@rx (?i)<script" "id:1,phase:2,t:urlDecodeUni,t:htmlEntityDecode,deny,status:406,msg:\'xss %{MATCHED_VAR_NAME}\'"', 'SecRule &ARGS "@gt 3" "id:2,phase:1,pass,log,setvar:tx.n=+1,chain"\nSecRule TX:n "@ge 1" "t:none"'] },
    { secRules: ['SecRule REQUEST_FILENAME "@beginsWith /x" "id:3,phase:1,pass,nolog,ctl:ruleRemoveById=1-2"', "SecRuleRemoveById 2", 'SecRuleUpdateTargetById 1 "!ARGS:pwd"', 'SecRule REQUEST_BODY "@pm drop select" "id:4,phase:2,block"'] },
  ],
  "request-block": [
    { block_urls: ["swagger.html"], block_exact_urls: ["/exact"], block_headers: ["evil"], block_bodies: ["DROP TABLE"], blocked_code: 418, blocked_message: "no" },
    { block_bodies: ["x"], case_sensitive: false, _rules_: [{ _match_route_: ["r"], block_urls: ["a"] }, { _match_domain_: ["*.example.com"], block_headers: ["b"] }] },
  ],
  "request-validation": [
    { header_schema: { type: "object", required: ["x-v"], properties: { "x-v": { enum: ["1", "2"] } } }, body_schema: { type: "object", required: ["a"], properties: { a: { type: "integer", minimum: 1, maximum: 10 }, b: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, uniqueItems: true } }, additionalProperties: false }, rejected_code: 400, rejected_msg: "bad" },
    { enable_swagger: true, body_schema: { definitions: { n: { type: "number", maximum: 5, exclusiveMaximum: true } }, properties: { x: { $ref: "#/definitions/n" }, y: { anyOf: [{ type: "string" }, { type: "null" }] } } }, _rules_: [{ _match_route_: ["r"], header_schema: '{"type":"object"}' }] },
  ],
  "ip-restriction": [
    { ip_source_type: "header", allow: ["10.0.0.0/8", "2001:db8::/32", "192.168.1.1"] },
    { ip_source_type: "origin-source", deny: ["127.0.0.0/8", "::1"], status: 451, message: "go away", _rules_: [{ _match_route_: ["r"], ip_source_type: "header", ip_header_name: "X-Real-IP", deny: ["1.2.3.4"] }] },
  ],
  "key-auth": [
    { global_auth: true, consumers: [{ name: "alice", credential: "alice-key" }, { name: "bob", credential: "bob-key" }], keys: ["x-api-key", "apikey"], in_header: true, in_query: true },
    { consumers: [{ name: "alice", credential: "alice-key" }], keys: ["apikey"], in_query: true, _rules_: [{ _match_route_: ["r"], allow: ["alice"] }] },
  ],
  "ext-auth": [
    { http_service: { endpoint: { service_name: "ext-auth.dns", service_port: 8090, path_prefix: "/auth" }, timeout: 100, authorization_request: { allowed_headers: [{ exact: "x-tenant" }, { regex: "^x-trace-" }], headers_to_add: { "x-gateway": "sluice", flag: true } }, authorization_response: { allowed_upstream_headers: [{ prefix: "x-user-" }], allowed_client_headers: [{ exact: "www-authenticate" }] } }, match_type: "whitelist", match_list: [{ match_rule_domain: "*.example.com", match_rule_method: ["GET"], match_rule_path: "^/public/", match_rule_type: "regex" }], status_on_error: 401 },
    { http_service: { endpoint_mode: "forward_auth", endpoint: { service_name: "auth.static", path: "/verify", request_method: "POST", service_host: "auth.local" }, authorization_request: { with_request_body: true, max_request_body_bytes: 16 } }, failure_mode_allow: true, failure_mode_allow_header_add: true, match_type: "blacklist", match_list: [{ match_rule_path: "/admin", match_rule_type: "prefix" }, {}] },
  ],
  "basic-auth": [
    { global_auth: true, consumers: [{ name: "alice", credential: "alice:wonderland" }, { name: "bob", credential: "bob:builder" }] },
    { consumers: [{ name: "alice", credential: "alice:wonderland" }], _rules_: [{ _match_domain_: ["*.example.com"], allow: ["alice"] }] },
  ],
  "hmac-auth-apisix": [
    { global_auth: true, consumers: [{ name: "alice", access_key: "ak-alice", secret_key: "sk-alice" }, { access_key: "ak-x", secret_key: "sk-x" }] },
    { consumers: [{ name: "alice", access_key: "ak-alice", secret_key: "sk-alice" }], global_auth: false, anonymous_consumer: "guest", clock_skew: 0, allowed_algorithms: ["hmac-sha256"], validate_request_body: true, signed_headers: ["x-custom"], _rules_: [{ _match_route_: ["r"], allow: ["alice"] }] },
  ],
  "jwt-auth": [
    {
      global_auth: true,
      consumers: [{ name: "alice", issuer: "iss", jwks: JSON.stringify({ keys: [{ kty: "oct", kid: "k1", alg: "HS256", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" }] }) }],
    },
  ],
  "ai-proxy": [
    { provider: { type: "openai", apiTokens: ["sk-x"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } } },
    { provider: { type: "deepl", apiTokens: ["dl-key:fx"], targetLang: "ZH", modelMapping: { "*": "Free" } } },
    { provider: { type: "triton", apiTokens: ["t"], tritonDomain: "triton.local", tritonModelVersion: "1", modelMapping: { "*": "llama" } } },
    { provider: { type: "minimax", minimaxApiType: "pro", minimaxGroupId: "1", apiTokens: ["mm"], modelMapping: { "*": "abab6.5s-chat" } } },
    { provider: { type: "dify", apiTokens: ["app-x"], botType: "Workflow", difyApiUrl: "https://dify.local/v1", inputVariable: "q", outputVariable: "a" } },
    { provider: { type: "coze", apiTokens: ["pat_x"], protocol: "original", basePath: "/coze" } },
    {
      providers: [
        { id: "openai", type: "openai", apiTokens: ["sk-openai"], modelMapping: { "*": "gpt-4o" } },
        { id: "claude", type: "claude", apiTokens: ["sk-claude"], claudeVersion: "2023-06-01", modelMapping: { "*": "claude-haiku-4-5" } },
        { id: "gemini", type: "gemini", apiTokens: ["sk-gemini"], modelMapping: { "*": "gemini-2.5-flash" } },
        { id: "qwen", type: "qwen", apiTokens: ["sk-qwen"], qwenEnableCompatible: false },
      ],
      _rules_: [
        { _match_route_: ["openai"], activeProviderId: "openai" },
        { _match_route_: ["claude"], activeProviderId: "claude" },
        { _match_route_: ["gemini"], activeProviderId: "gemini" },
        { _match_route_: ["qwen"], activeProviderId: "qwen" },
      ],
    },
  ],
  opa: [
    { policy: "example1", timeout: "5s", serviceSource: "k8s", serviceName: "opa", servicePort: 8181, namespace: "higress-backend" },
    { policy: "authz/http", timeout: "1m30.5s", serviceSource: "ip", serviceName: "opa", servicePort: "8181", host: "10.0.0.1", _rules_: [{ _match_route_: ["r"], policy: "admin", timeout: "300ms", serviceSource: "route", host: "opa.example" }, { _match_domain_: ["*.example.com"], policy: "p", timeout: "2s", serviceSource: "nacos", serviceName: "opa", servicePort: 80, namespace: "public" }] },
  ],
  "sdk-probe": [{ upstream_cluster: "up", fast_tick_ms: 100, slow_tick_ms: 300 }, { webdis_cluster: "webdis" }],
  "ai-cache": [
    { cache: { type: "redis", serviceName: "redis.static", servicePort: 6379, cacheTTL: 60, cacheKeyPrefix: "p:" }, responseTemplate: '{"a":"%s","p":"%%"}', streamResponseTemplate: "data: %s\n\n" },
    { cacheKeyStrategy: "allQuestions", cache: { type: "redis", serviceName: "redis.dns", timeout: 50 }, embedding: { type: "dashscope", serviceName: "ds.dns", apiKey: "sk-x", timeout: 50 }, vector: { type: "chroma", serviceName: "chroma.dns", servicePort: 8000, collectionID: "c", threshold: 0.1, thresholdRelation: "lte" }, _rules_: [{ _match_route_: ["r"], cacheKeyStrategy: "disabled", cache: { serviceName: "r.dns" } }] },
    { embedding: { type: "xfyun", serviceName: "x.dns", apiKey: "k", appId: "a", apiSecret: "s", timeout: 50 }, vector: { type: "weaviate", serviceName: "w.dns", apiKey: "k", collectionID: "Cache", topK: 3, threshold: 0.2 }, _rules_: [{ _match_route_: ["r"], embedding: { type: "textin", serviceName: "t.dns", textinAppId: "a", textinSecretCode: "s", textinMatryoshkaDim: 256 }, vector: { type: "elasticsearch", serviceName: "es.dns", esUsername: "u", esPassword: "p", collectionID: "idx", thresholdRelation: "gt", threshold: 0.9 } }] },
  ],
  "ai-rag": [
    { dashscope: { apiKey: "sk-x", serviceFQDN: "dashscope", servicePort: 443, serviceHost: "dashscope.aliyuncs.com" }, dashvector: { apiKey: "dv-x", serviceFQDN: "dashvector", servicePort: 443, serviceHost: "vrs.example", collection: "news", topk: 1, threshold: 0.4, field: "raw" } },
    { dashscope: { apiKey: "sk-x", serviceFQDN: "ds.dns", servicePort: 443, serviceHost: "", timeout: 100 }, vector: { type: "chroma", serviceFQDN: "chroma.dns", servicePort: 8000, serviceHost: "", collection: "c", topk: 3, threshold: 0.3, tenant: "t", database: "d", apiKey: "k" }, _rules_: [{ _match_route_: ["r"], dashscope: { apiKey: "k", serviceFQDN: "d", servicePort: 1, serviceHost: "h" }, vector: { type: "dashvector", apiKey: "k", serviceFQDN: "v", servicePort: 443, serviceHost: "h", collection: "c", topk: 1024, threshold: -1, field: "title", timeout: 1 } }] },
  ],
  "ai-token-ratelimit": [
    { rule_name: "r", rule_items: [{ limit_by_per_header: "x-key", limit_keys: [{ key: "*", token_per_minute: 100 }] }], redis: { service_name: "redis.dns", service_port: 6379 } },
    { rule_name: "r2", rule_items: [{ limit_by_per_ip: "from-header-x-forwarded-for", limit_keys: [{ key: "0.0.0.0/0", token_per_hour: 1000 }] }, { limit_by_param: "apikey", limit_keys: [{ key: "alice-key", token_per_second: 1 }] }], redis: { service_name: "redis.static", timeout: 50 }, redis_failure_mode: "closed", _rules_: [{ _match_route_: ["r"], rule_name: "rr", rule_items: [{ limit_by_per_consumer: "", limit_keys: [{ key: "regexp:^a.*", token_per_day: 5 }] }], redis: { service_name: "r.dns" } }] },
  ],
  cors: [
    { max_age: 86400 },
    { allow_origins: ["https://app.example.org"], allow_origin_patterns: ["https://*.example.com", "http://*.example.net:[8080,9090]"], allow_methods: ["GET", "POST"], allow_headers: ["Content-Type"], expose_headers: ["X-Total"], allow_credentials: true, max_age: 600, _rules_: [{ _match_route_: ["r"], allow_origins: ["*"], allow_methods: ["*"], allow_headers: ["*"], expose_headers: ["*"] }] },
  ],
  "sni-misdirect": [{}],
  "simple-jwt-auth": [{ token_headers: "token", token_secret_key: "fuzz-secret" }, { token_headers: "x-auth", token_secret_key: 123456, _rules_: [{ _match_route_: ["r"], token_headers: "t", token_secret_key: "s" }] }, {}],
  "bot-detect": [{ allow: ["(?i)friendlybot"], deny: ["^EvilClient/", "(a+)+$"], blocked_code: 429, blocked_message: "no" }, {}],
  "ai-statistics": [
    { attributes: [{ key: "team", value_source: "fixed_value", value: "blue", apply_to_log: true }, { key: "ua", value_source: "request_header", value: "user-agent", apply_to_log: true, apply_to_span: true }, { key: "q", apply_to_log: true }, { key: "answer", apply_to_log: true, rule: "append" }, { key: "f", value_source: "response_streaming_body", value: "choices.0.finish_reason", rule: "replace", apply_to_log: true }, { key: "sep", value_source: "fixed_value", value: "x", as_separate_log_field: true }], value_length_limit: 20, enable_path_suffixes: ["/completions"] },
    {},
  ],
  "ai-data-masking": [
    { system_deny: true, deny_words: ["secret-word"], replace_roles: [{ regex: "%{IDCARD}", type: "hash", restore: true }, { regex: "%{MOBILE}", type: "replace", value: "****" }, { regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}", type: "replace", restore: true, value: "****@$domain" }, { regex: "%{IP}", type: "replace", restore: true, value: "***.***.***.***" }] },
    { deny_openai: false, deny_jsonpath: ["$.messages[*].content", "$['input'][0]"], deny_raw: true, deny_code: 403, deny_raw_message: "no", deny_content_type: "text/plain", replace_roles: [{ regex: "sk-[0-9a-zA-Z]*", type: "hash", restore: true }, { regex: "(\\d{3})\\d{4}(\\d{4})", type: "replace", value: "$1****${2}" }] },
  ],
  "ai-security-guard": [
    { serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com", accessKey: "ak", secretKey: "sk", checkRequest: true, checkResponse: true, bufferLimit: 20, timeout: 100, riskLevelBar: "medium", consumerRiskLevel: [{ name: "^t.*", matchType: "regexp", riskLevelBar: "low" }], consumerRequestCheckService: [{ name: "vip", matchType: "exact", requestCheckService: "strict" }] },
    { serviceName: "safecheck.dns", servicePort: 443, serviceHost: "h", accessKey: "ak", secretKey: "sk", securityToken: "t", action: "MultiModalGuard", checkRequest: true, checkResponse: true, protocol: "original", denyCode: 403, denyMessage: "no", requestContentJsonPath: "messages.#(role==\"user\")#.content", responseContentFallbackJsonPaths: [], promptAttackLevelBar: "high", sensitiveDataLevelBar: "S2", sensitiveDataAction: "mask" },
  ],
  "ai-prompt-decorator": [
    { prepend: [{ role: "system", content: "Answer in English." }], append: [{ role: "user", content: "Ask a follow-up." }] },
    { replace: [{ on_role: "system", pattern: "OpenClaw", replacement: "agent" }, { pattern: "secret-(\\d+)", replacement: "[$1]", regex: true }], prepend: [{ role: "system", content: "in ${geo-country}" }] },
  ],
  "ai-prompt-template": [
    { templates: [{ name: "developer-chat", template: { model: "gpt-3.5-turbo", messages: [{ role: "system", content: "You are a {{program}} expert, in {{language}}." }, { role: "user", content: "Write me a {{program}} program." }] } }] },
  ],
  "ai-prompt-guard": [
    { allow_patterns: ["(?i).*python.*"], deny_patterns: [".*(password|secret).*"], allow_all_conversation_history: false },
    { deny_patterns: ["(?i)ignore (all )?previous instructions"], match_all_roles: true, deny_code: 403, deny_message: "no" },
  ],
  "ai-quota": [{ admin_consumer: "boss", redis: { service_name: "redis.dns" } }, { admin_consumer: "boss", admin_path: "/admin", redis_key_prefix: "q:", redis: { service_name: "redis.static", timeout: 10 } }],
  "key-rate-limit": [{ limit_by_header: "x-key", limit_keys: [{ key: "k1", query_per_minute: 2 }, { key: "k2", query_per_second: 1 }] }, { limit_by_param: "apikey", limit_keys: [{ key: "alice-key", query_per_day: 5 }] }],
  "cluster-key-rate-limit": [
    { rule_name: "cc", redis: { service_name: "redis.dns", timeout: 1000 }, rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: [{ key: "0.0.0.0/0", query_per_minute: 4 }] }] },
    { rule_name: "k", redis: { service_name: "redis.dns" }, show_limit_quota_header: true, rule_items: [{ limit_by_header: "x-key", limit_keys: [{ key: "k1", query_per_second: 2 }] }, { limit_by_per_param: "apikey", limit_keys: [{ key: "regexp:^a.*", query_per_hour: 10 }, { key: "*", query_per_minute: 5 }] }] },
  ],
  "custom-response": [
    { rules: [{ enable_on_status: [404, "5xx"], status_code: 503, headers: ["Content-Type=application/json", "X-A=b=c"], body: '{"e":1}' }, { enable_on_status: ["x23"], body: "t" }, { status_code: 299, body: "default" }] },
    { status_code: 200, headers: ["Hello=World"], body: "mock", _rules_: [{ _match_route_: ["r"], enable_on_status: [200], status_code: 302, headers: ["Location=https://example.com"] }] },
  ],
  "replay-protection": [
    { force_nonce: true, validate_base64: true, nonce_min_length: 4, nonce_max_length: 64, redis: { service_name: "redis.static", timeout: 100 } },
    { nonce_header: "x-nonce", nonce_ttl: 60, reject_code: 409, reject_msg: "again", redis: { service_name: "redis.dns", key_prefix: "rp" } },
  ],
  "cache-control": [{ suffix: "jpg|png|jpeg", expires: 3600 }, { expires: "max", _rules_: [{ _match_route_: ["r"], suffix: "html", expires: "epoch" }] }],
  "model-mapper": [
    { modelMapping: { "gpt-4-*": "qwen-max", "gpt-4o": "qwen-vl-plus", "*": "qwen-turbo" } },
    { modelKey: "engine", enableOnPathSuffix: ["/generate", "*"], modelMapping: { a: "b", "keep-*": "" } },
  ],
  transformer: [
    {
      reqRules: [
        { operate: "remove", headers: [{ key: "X-remove" }], querys: [{ key: "k1" }], body: [{ key: "a1" }] },
        { operate: "rename", headers: [{ oldKey: "x-old", newKey: "x-new" }], body: [{ oldKey: "a.b", newKey: "c" }] },
        { operate: "add", headers: [{ key: "x-add", value: "host-$1", host_pattern: "^(.*)\\.com$" }], body: [{ key: "n", value: "1", value_type: "number" }] },
        { operate: "append", querys: [{ key: "k3", appendValue: "p-$1", path_pattern: "^/(\\w+)" }], body: [{ key: "tags", appendValue: "t" }] },
        { operate: "map", mapSource: "body", headers: [{ fromKey: "userId", toKey: "x-user-id" }] },
        { operate: "dedupe", headers: [{ key: "x-d", strategy: "RETAIN_UNIQUE" }], body: [{ key: "ids", strategy: "SPLIT_AND_RETAIN_LAST" }] },
      ],
    },
    {
      reroute: false,
      respRules: [
        { operate: "replace", headers: [{ key: "server", newValue: "gw" }], body: [{ key: "data.status", newValue: "true", value_type: "boolean" }] },
        { operate: "map", mapSource: "headers", body: [{ fromKey: "x-trace", toKey: "trace" }] },
      ],
    },
  ],
  "model-router": [
    { modelToHeader: "x-higress-llm-model", addProviderHeader: "x-higress-llm-provider" },
    { enableOnPathSuffix: ["*"], autoRouting: { enable: true, defaultModel: "qwen-turbo", rules: [{ pattern: "(?i)(draw|image|画)", model: "qwen-vl-max" }, { pattern: "(?i)code", model: "qwen-coder" }] } },
  ],
  "traffic-tag": [
    { defaultTagKey: "x-mse-tag", defaultTagVal: "base", conditionGroups: [{ headerName: "x-mse-tag", headerValue: "gray", logic: "and", conditions: [{ conditionType: "header", key: "role", operator: "in", value: ["user", "viewer"] }, { conditionType: "parameter", key: "foo", operator: "equal", value: ["bar"] }] }] },
    { conditionGroups: [{ headerName: "x-t", headerValue: "v", logic: "or", conditions: [{ conditionType: "cookie", key: "uid", operator: "regex", value: ["^[a-z]{3}$"] }, { conditionType: "header", key: "user-id", operator: "percentage", value: ["60"] }] }], weightGroups: [{ headerName: "x-c", headerValue: "gray", weight: 30 }, { headerName: "x-c", headerValue: "base", weight: 70 }] },
  ],
  "emu-higress-probe": [{}],
  "bench-rewrite": [{}, { tree: true }],
  noop: [{}],
  "crypto-probe": [{}],
};

/** Routes every fuzz host knows (route names used by the seeds' `_match_route_`). */
export const ROUTES = ["r", "openai", "claude", "gemini", "qwen"].map((n) => ({ name: n, prefix: `/${n}`, cluster: "up" })).concat([{ name: "default", prefix: "/", cluster: "up" }]);

export const REQUEST_BODIES = [
  '{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"stream":true,"temperature":0.5}',
  '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}',
  '{"model":"text-embedding-3-small","input":["a","b"]}',
  '{"model":"claude-x","max_tokens":10,"system":"s","messages":[{"role":"user","content":"hi"}],"stream":false}',
  '{"a":1,"b":[true,false,null],"c":{"d":"e\\u00e9\\ud83d\\ude00"}}',
  "SELECT 1; DROP TABLE users",
];

/** SQLi/XSS-shaped values for the libinjection detectors (mutated by the fuzzer). */
export const INJECTIONS = [
  "1' OR '1'='1", "1 UNION SELECT username, password FROM users--", "admin'/*", "1; DROP TABLE t", "@@version", "x' AND SLEEP(5)#",
  "$$ body $$", "q'[a]'", "U&'\\0041'", "N'x' /*! 50000 select */", "{fn concat(1,2)}", "0x4142 LIKE(1)", "\\N", "`a`.`b`",
  "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"&#106;avascript:x\">", "<!--[if IE]>", "<!DOCTYPE x>",
  "\" onmouseover=\"x", "' style='x", "<![CDATA[ ]]>", "<%= x %>", "<svg/onload=1>", "O'Brien said \"hi\"",
];

export const RESPONSE_BODIES = [
  '{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"he"}}]}\n\ndata: {"id":"c1","choices":[{"index":0,"delta":{"content":"llo"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\ndata: [DONE]\n\n',
  'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":3}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
  '{"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}}',
  '{"error":{"message":"bad","type":"invalid_request_error","code":"x"}}',
  '{"keys":[{"kty":"oct","kid":"k1","k":"AAAA"}]}',
];

export const INTERESTING_HEADERS = [
  "authorization", "x-api-key", "apikey", "x-forwarded-for", "x-real-ip", "content-type", "content-length", "host",
  "x-request-id", "user-agent", "x-mse-consumer", "date", "x-hmac-signature", "x-hmac-access-key", "x-hmac-algorithm",
  "x-hmac-signed-headers", "digest", "cookie", "accept", "accept-encoding", "x-custom", "x-probe-callout-path",
  "x-probe-callout-cluster", "x-probe-callout-method", "x-probe-callout-body", "x-probe-redis", "x-probe-args", "x-key",
  "x-value", "x-cas", "te", "transfer-encoding", "anthropic-version", "x-goog-api-key",
];

export const PATHS = [
  "/", "/v1/chat/completions", "/v1/embeddings", "/v1/messages", "/v1/models", "/openai/v1/chat/completions",
  "/claude/v1/messages", "/gemini/v1/chat/completions", "/qwen/v1/chat/completions", "/r/x", "/swagger.html",
  "/exact", "/callout/a", "/redis", "/metrics/5", "/ticks", "/shared/set", "/shared/get", "/shared/incr", "/queue/enqueue",
  "/queue/stats", "/a?apikey=alice-key&x=1", "/%2e%2e/%00?a=%ff",
];
