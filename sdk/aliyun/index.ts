// @sluice/sdk/aliyun: Alibaba Cloud request signing (ACS3-HMAC-SHA256) for its APIs (content moderation, …).
export * from "./acs3";
