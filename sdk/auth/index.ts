// @sluice/sdk/auth: Higress's consumer model shared by the auth plugins, byte-exact credentials, JWT.
export * from "./consumer";
export * from "./credential";
export * from "./jwt";
export * from "./plugin";
