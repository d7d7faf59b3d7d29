export * from "./Decoder.ts"
export * from "./ElicitationSchema.ts"
export * from "./JsonSchema.ts"
export * from "./Redaction.ts"
