// @sluice/sdk/jsonschema: JSON Schema draft-04/-06/-07, compiled once, validated without trapping (docs/sdk/jsonschema.md).
export * from "./schema";
