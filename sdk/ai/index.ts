// @sluice/sdk/ai: LLM gateways: which API a path is, token usage from every provider's answers, ai_log attributes, answers in the client's protocol, embedding services and vector databases (Chroma, DashVector, Qdrant, Milvus, Weaviate, Pinecone, Elasticsearch) for retrieval and semantic caches.
export * from "./api";
export * from "./usage";
export * from "./tracker";
export * from "./log";
export * from "./messages";
export * from "./errors";
export * from "./deny";
export * from "./model-field";
export * from "./gjson-path";
export * from "./embedding";
export * from "./vector";
export * from "./vector-stores";
