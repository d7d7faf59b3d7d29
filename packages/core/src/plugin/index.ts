export type { Installable } from "./Plugin.ts"
export * as Plugin from "./Plugin.ts"
