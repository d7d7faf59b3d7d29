export type { ListedResource, ResourceBody, ResourceInfo, ResourceTemplate, StaticResource } from "./Resource.ts"
export * as Resource from "./Resource.ts"
export * from "./ResourceNotFound.ts"
