/**
 * The MCP methods core serves over a catalog: tools, prompts, resources and completions. (Everything else of the
 * protocol, `initialize`, `server/discover`, `ping`, `logging/setLevel`, the transport answers.)
 */
import type { CatalogShape } from "../../catalog/Catalog.ts"
import type { NotifierShape } from "../../notify/Notifier.ts"
import type { Method } from "../Method.ts"
import { completionMethod } from "./completion.ts"
import { promptMethods } from "./prompts.ts"
import { resourceMethods } from "./resources.ts"
import { toolMethods } from "./tools.ts"

/** The core method table. */
export const coreMethods = (catalog: CatalogShape, notifier: NotifierShape): ReadonlyArray<Method> => [
  ...toolMethods(catalog, notifier),
  ...promptMethods(catalog, notifier),
  ...resourceMethods(catalog, notifier),
  completionMethod(catalog, notifier)
]
