/**
 * The settings Bulwark runs the echo tool with in the benchmarks (`servers/bulwark.ts`, `pipeline.ts`): the bundled
 * plugins off, one tenant whose allow-list names the tool, a rate limit high enough never to refuse and a concurrency
 * limit. As a config file would write them; the caller adds its port, database and first API key.
 */
export const echoSettings = {
  plugins: { tickets: { enabled: false }, reports: { enabled: false } },
  tenancy: {
    tenants: [
      {
        id: "default",
        name: "Default",
        tools: ["echo"],
        limits: { rate: { requests: 100_000_000, per: "1 minute" }, concurrency: { permits: 1000 } }
      }
    ]
  }
}
