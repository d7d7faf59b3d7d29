/** Records built directly, for tests of the audit log itself. */
import type { AuditRecord } from "@bulwark/audit"

/** A plausible record; `n` makes its request id unique. */
export const sampleRecord = (n: number, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  time: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, n)),
  tenantId: "acme",
  principal: { subject: "key-1", method: "api-key" },
  method: "tools/call",
  target: "create_ticket",
  arguments: { title: `ticket ${n}`, priority: n % 2 === 0 ? "low" : "high" },
  outcome: "success",
  rejectedBy: null,
  errorCode: null,
  reason: null,
  durationMs: 1.5 + n / 1000,
  requestId: `req-${n}-${Math.random().toString(36).slice(2)}`,
  traceId: null,
  ...overrides
})
