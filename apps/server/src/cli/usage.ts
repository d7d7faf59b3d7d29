/**
 * The admin CLI's help text.
 *
 * @since 0.1.0
 */

/** Printed for `--help`. */
export const usage = `Usage: node apps/server/src/cli.ts <area> <command> [arguments] [flags]

Talks to the Bulwark admin API. The admin token is read from BULWARK_ADMIN_TOKEN only (never a flag, so that it
stays out of shell history and process lists). --url (or BULWARK_ADMIN_URL) names the API, default
http://127.0.0.1:3001.

  tenants list
  tenants get <id>
  tenants put <id> --file tenant.json        create or replace (JSON or YAML: a tenant as in the config file)
  tenants limits <id> --file patch.json      merge patch of { "limits": ..., "quotas": ... }
  tenants disable <id>
  tenants enable <id>
  keys list [--tenant t]
  keys create --tenant t --name n [--scopes a,b] [--expires 2027-01-01T00:00:00Z]   prints the key once
  keys revoke <keyId>
  hmac list [--tenant t]
  hmac create --tenant t --name n [--scopes a,b] [--expires ISO]                    prints the secret once
  hmac revoke <keyId>
  switches list
  switches set --kind tool|plugin|backend|tenant --name x [--tenant t] --reason "..."
  switches clear --kind tool|plugin|backend|tenant --name x [--tenant t]
  audit query [--tenant t] [--tool x] [--outcome o] [--since ISO] [--until ISO] [--limit n] [--cursor c]
  audit verify

Prints the API's JSON answer on stdout. Exit codes: 0 done, 1 the API refused or could not be reached (its answer
on stderr; for audit verify, also a broken chain), 2 bad usage.
`
