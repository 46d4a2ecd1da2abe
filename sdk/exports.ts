// Re-exported by every plugin's entry file: `export * from "@sluice/sdk/exports";`
// It also pulls in the abort handler the build wires up with `--use abort=…`.
import "./runtime/abort";
export * from "./abi/exports";
