// Property tests draw fresh random inputs on every local run (that is how they find new bugs);
// on CI (CI=true) they draw the same inputs every time, so a run can only go red on a change
// that was made, not on a rare input met by chance. FC_SEED=<n> replays a seed anywhere.
import fc from "fast-check";

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261204 : undefined;
if (seed !== undefined) fc.configureGlobal({ seed });
