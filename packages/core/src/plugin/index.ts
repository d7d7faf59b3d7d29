export type { Bound, Installed } from "./Plugin.ts"
export * as Plugin from "./Plugin.ts"
