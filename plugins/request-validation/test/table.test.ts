// request-validation's case table (cases.ts) on a real Envoy and on the emulator, both targets.
import { runPluginTable } from "../../../harness/src/plugin-table.js";
import { table } from "./cases.js";

runPluginTable(table);
