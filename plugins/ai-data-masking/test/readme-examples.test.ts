// Every configuration example of Higress's ai-data-masking READMEs (wasm-rust, zh and en at
// HEAD, and the zh README's earlier version), as YAML text exactly as printed there, loads on
// both targets and does what the README's "敏感词替换样例" shows: the provider receives the
// masked curl command (IP, key hash, e-mail) and the client reads it back with the originals;
// a custom deny word is refused with deny_message.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const ZH = `
system_deny: true
deny_openai: true
deny_jsonpath:
  - "$.messages[*].content"
deny_raw: true
deny_code: 200
deny_message: "提问或回答中包含敏感词，已被屏蔽"
deny_raw_message: "{\\"errmsg\\":\\"提问或回答中包含敏感词，已被屏蔽\\"}"
deny_content_type: "application/json"
deny_words: 
  - "自定义敏感词1"
  - "自定义敏感词2"
replace_roles:
  - regex: "%{MOBILE}"
    type: "replace"
    value: "****"
    # 手机号  13800138000 -> ****
  - regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}"
    type: "replace"
    restore: true
    value: "****@$domain"
    # 电子邮箱  admin@gmail.com -> ****@gmail.com
  - regex: "%{IP}"
    type: "replace"
    restore: true
    value: "***.***.***.***"
    # ip 192.168.0.1 -> ***.***.***.***
  - regex: "%{IDCARD}"
    type: "replace"
    value: "****"
    # 身份证号 110000000000000000 -> ****
  - regex: "sk-[0-9a-zA-Z]*"
    restore: true
    type: "hash"
    # hash sk-12345 -> 9cb495455da32f41567dab1d07f1973d
    # hash后的值提供给大模型，从大模型返回的数据中会将hash值还原为原始值
`;

const EN = `
system_deny: true
deny_openai: true
deny_jsonpath:
  - "$.messages[*].content"
deny_raw: true
deny_code: 200
deny_message: "Sensitive words found in the question or answer have been blocked"
deny_raw_message: "{\\"errmsg\\":\\"Sensitive words found in the question or answer have been blocked\\"}"
deny_content_type: "application/json"
deny_words:
  - "Custom sensitive word 1"
  - "Custom sensitive word 2"
replace_roles:
  - regex: "%{MOBILE}"
    type: "replace"
    value: "****"
    # Mobile number  13800138000 -> ****
  - regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}"
    type: "replace"
    restore: true
    value: "****@$domain"
    # Email  admin@gmail.com -> ****@gmail.com
  - regex: "%{IP}"
    type: "replace"
    restore: true
    value: "***.***.***.***"
    # IP 192.168.0.1 -> ***.***.***.***
  - regex: "%{IDCARD}"
    type: "replace"
    value: "****"
    # ID card number 110000000000000000 -> ****
  - regex: "sk-[0-9a-zA-Z]*"
    restore: true
    type: "hash"
    # hash sk-12345 -> 9cb495455da32f41567dab1d07f1973d
    # The hashed value is provided to the large model, and the hash value will be restored to the original value from the data returned by the large model
`;

const ZH_EARLIER = `
system_deny: true
deny_code: 200
deny_message: "提问或回答中包含敏感词，已被屏蔽"
deny_words: 
  - "自定义敏感词1"
  - "自定义敏感词2"
replace_roles:
  - regex: "%{MOBILE}"
    type: "replace"
    value: "****"
    # 手机号  13800138000 -> ****
  - regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}"
    type: "replace"
    restore: true
    value: "****@$domain"
    # 电子邮箱  admin@gmail.com -> ****@gmail.com
  - regex: "%{IP}"
    type: "replace"
    restore: true
    value: "***.***.***.***"
    # ip 192.168.0.1 -> ***.***.***.***
  - regex: "%{IDCARD}"
    type: "replace"
    value: "****"
    # 身份证号 110000000000000000 -> ****
  - regex: "sk-[0-9a-zA-Z]*"
    restore: true
    type: "hash"
    # hash sk-12345 -> 9cb495455da32f41567dab1d07f1973d
    # hash后的值提供给大模型，从大模型返回的数据中会将hash值还原为原始值
`;

// The README's sample: the prompt, what the model receives, and the model's answer (its curl block).
const PROMPT = '请将 `curl http://172.20.5.14/api/openai/v1/chat/completions -H "Authorization: sk-12345" -H "Auth: test@gmail.com"` 改成post方式';
const TO_MODEL = '请将 `curl http://***.***.***.***/api/openai/v1/chat/completions -H "Authorization: 48a7e98a91d93896d8dac522c5853948" -H "Auth: ****@gmail.com"` 改成post方式';
const curlBlock = (key: string, mail: string, ip: string) => `curl -X POST \\\n     -H "Authorization: ${key}" \\\n     -H "Auth: ${mail}" \\\n     -H "Content-Type: application/json" \\\n     -d '{"key":"value"}' \\\n     http://${ip}/api/openai/v1/chat/completions`;
const FROM_MODEL = curlBlock("48a7e98a91d93896d8dac522c5853948", "****@gmail.com", "***.***.***.***");
const TO_USER = curlBlock("sk-12345", "test@gmail.com", "172.20.5.14");

const examples: [string, string, string][] = [
  ["zh README (HEAD)", ZH, "自定义敏感词1"],
  ["en README (HEAD)", EN, "Custom sensitive word 1"],
  ["zh README (earlier)", ZH_EARLIER, "自定义敏感词2"],
];

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    for (const [name, yaml, word] of examples) {
      it(`${name}: loads unchanged, masks the sample prompt, restores the answer, refuses a custom word`, async () => {
        const config = parse(yaml);
        const host = await Emulator.load(pluginWasm("ai-data-masking", target), { target, config, routes: [{ name: "r", prefix: "/", cluster: "up" }], pluginName: "ai-data-masking" });
        let seen = "";
        const r = await host.request({
          method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "qwen-max", messages: [{ role: "user", content: PROMPT }] }),
          response: (s) => {
            seen = JSON.parse(s.body.toString()).messages[0].content;
            return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: FROM_MODEL } }] }) };
          },
        });
        expect(seen).toBe(TO_MODEL);
        expect(JSON.parse(r.body).choices[0].message.content).toBe(TO_USER);
        const d = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "qwen-max", messages: [{ role: "user", content: `about ${word}` }] }) });
        expect(d.upstream).toBeNull();
        expect(JSON.parse(d.body).choices[0].message.content).toBe(config.deny_message);
        expect(host.traps).toEqual([]);
        host.close();
      });
    }
  });
}
