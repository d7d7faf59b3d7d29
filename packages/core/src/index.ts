/**
 * @bulwark/core: the tool/plugin API (Effect Schema in, JSON Schema 2020-12 out) and the request pipeline.
 */
export * from "./catalog/index.ts"
export * as Content from "./content/Content.ts"
export * from "./errors/index.ts"
export * from "./notify/Notifier.ts"
export * from "./pipeline/index.ts"
export * from "./plugin/index.ts"
export * from "./prompt/index.ts"
export * from "./request/index.ts"
export * from "./resource/index.ts"
export * from "./schema/index.ts"
export * from "./tool/index.ts"
