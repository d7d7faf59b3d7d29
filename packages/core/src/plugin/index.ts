export * as Plugin from "./Plugin.ts"
export type { Installable } from "./Plugin.ts"
