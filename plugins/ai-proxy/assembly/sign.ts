// Request signing for providers that need it: Tencent Cloud TC3-HMAC-SHA256 (hunyuan) and AWS
// Signature Version 4 (bedrock). Hashes, HMAC, dates and URI encoding come from the SDK.
import { sha256Hex, hmacSha256Text } from "@sluice/sdk/crypto";
import { hexEncode, isoDate, percentEncode } from "@sluice/sdk/encoding";

/**
 * Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) for a POST to "/" with a JSON body, signing
 * content-type and host. Returns the Authorization header value.
 */
export function tc3Authorization(secretId: string, secretKey: string, service: string, host: string, contentType: string, body: ArrayBuffer, timestamp: i64): string {
  const date = isoDate(timestamp);
  const canonical = "POST\n/\n\ncontent-type:" + contentType + "\nhost:" + host + "\n\ncontent-type;host\n" + sha256Hex(body);
  const scope = date + "/" + service + "/tc3_request";
  const toSign = "TC3-HMAC-SHA256\n" + timestamp.toString() + "\n" + scope + "\n" + sha256Hex(String.UTF8.encode(canonical));
  const kDate = hmacSha256Text(String.UTF8.encode("TC3" + secretKey), date);
  const kService = hmacSha256Text(kDate, service);
  const kSigning = hmacSha256Text(kService, "tc3_request");
  const sig = hexEncode<ArrayBuffer>(hmacSha256Text(kSigning, toSign));
  return "TC3-HMAC-SHA256 Credential=" + secretId + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig;
}

/**
 * AWS SigV4 for a POST without query string, signing host and x-amz-date. `path` is the path as
 * sent (already URI-encoded once); non-S3 services encode it again in the canonical request.
 */
export function sigV4Authorization(accessKey: string, secretKey: string, region: string, service: string, host: string, path: string, body: ArrayBuffer, amzdate: string): string {
  const date = amzdate.substring(0, 8);
  const canonical = "POST\n" + percentEncode<string>(path, true) + "\n\nhost:" + host + "\nx-amz-date:" + amzdate + "\n\nhost;x-amz-date\n" + sha256Hex(body);
  const scope = date + "/" + region + "/" + service + "/aws4_request";
  const toSign = "AWS4-HMAC-SHA256\n" + amzdate + "\n" + scope + "\n" + sha256Hex(String.UTF8.encode(canonical));
  const kDate = hmacSha256Text(String.UTF8.encode("AWS4" + secretKey), date);
  const kRegion = hmacSha256Text(kDate, region);
  const kService = hmacSha256Text(kRegion, service);
  const kSigning = hmacSha256Text(kService, "aws4_request");
  const sig = hexEncode<ArrayBuffer>(hmacSha256Text(kSigning, toSign));
  return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=host;x-amz-date, Signature=" + sig;
}
