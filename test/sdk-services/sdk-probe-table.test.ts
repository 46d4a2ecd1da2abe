// The sdk-probe test plugin's case table (sdk-probe-cases.ts) on a real Envoy and on the
// emulator, both targets.
import { runPluginTable } from "../../harness/src/plugin-table.js";
import { table } from "./sdk-probe-cases.js";

runPluginTable(table);
