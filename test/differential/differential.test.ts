// The tables of scenarios.ts (what belongs to no single plugin's table) through the one runner:
// each row on a real Envoy and on the emulator (envoy and higress targets), the same answer
// demanded from all three.
import { runPluginTable } from "../../harness/src/plugin-table.js";
import { tables } from "./scenarios.js";

for (const t of tables) runPluginTable(t);
