// The build target, fixed at compile time by `--use SLUICE_HIGRESS=0|1` (scripts/build.mjs).
// Code guarded by `if (isHigress())` is removed from the other target, imports included.
// @ts-ignore: the constant is introduced by the compiler's --use flag
export const IS_HIGRESS: bool = SLUICE_HIGRESS != 0;
