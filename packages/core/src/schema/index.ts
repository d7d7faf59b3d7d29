export * from "./Decoder.ts"
export * from "./JsonSchema.ts"
