import { AuditLog, describeHttpRequest, recordEdgeRefusal } from "@bulwark/audit"
import { EdgeAuthentication } from "@bulwark/mcp"
import { Effect, Layer } from "effect"

/**
 * The edge authentication with every refusal written to the audit log (a request refused before the pipeline still
 * leaves its one record), wrapping the one the identity layer provides.
 */
export const auditedEdge = Layer.effect(
  EdgeAuthentication,
  Effect.gen(function* () {
    const inner = yield* EdgeAuthentication
    const audit = yield* AuditLog
    return {
      authenticate: (request: Request, body: string) =>
        inner.authenticate(request, body).pipe(
          Effect.tapError((refusal) =>
            recordEdgeRefusal({
              reason: refusal.reason,
              rejectedBy: "authentication",
              ...describeHttpRequest(request.headers, body)
            }).pipe(Effect.provideService(AuditLog, audit))
          )
        )
    }
  })
)
