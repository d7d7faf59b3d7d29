/**
 * Host and Origin checks: a pair that passed is remembered (a client sends the same one on every request), a refused
 * one never is, and remembering one pair of allow-lists says nothing about another.
 */
import { describe, expect, it } from "@effect/vitest"
import { checkHostAndOrigin } from "../src/http/HostCheck.ts"

const hosts = ["localhost", "127.0.0.1"]
const origins = ["localhost"]

describe("checkHostAndOrigin", () => {
  it("passes allowed pairs every time, and refuses the others every time", () => {
    for (let i = 0; i < 3; i++) {
      expect(checkHostAndOrigin("localhost:3000", undefined, hosts, origins)).toBeUndefined()
      expect(checkHostAndOrigin("127.0.0.1:3000", "http://localhost:3000", hosts, origins)).toBeUndefined()
      expect(checkHostAndOrigin("evil.example:3000", undefined, hosts, origins)?.refusedBy).toBe("host")
      expect(checkHostAndOrigin("localhost:3000", "http://evil.example", hosts, origins)?.refusedBy).toBe("origin")
      expect(checkHostAndOrigin("user@localhost:3000", undefined, hosts, origins)?.answer.status).toBe(400)
      expect(checkHostAndOrigin(undefined, undefined, hosts, origins)?.answer.status).toBe(400)
    }
  })

  it("remembers per pair of allow-lists: what one allows, another still refuses", () => {
    expect(checkHostAndOrigin("localhost:3000", "http://localhost:3000", hosts, origins)).toBeUndefined()
    expect(checkHostAndOrigin("localhost:3000", "http://localhost:3000", ["127.0.0.1"], origins)?.refusedBy).toBe(
      "host"
    )
    expect(checkHostAndOrigin("localhost:3000", "http://localhost:3000", hosts, [])?.refusedBy).toBe("origin")
    expect(checkHostAndOrigin("localhost:3000", "http://localhost:3000", hosts, origins)).toBeUndefined()
  })

  it("stays correct past its bound", () => {
    for (let i = 0; i < 600; i++) {
      expect(checkHostAndOrigin(`localhost:${1000 + i}`, undefined, hosts, origins)).toBeUndefined()
    }
    expect(checkHostAndOrigin("evil.example", undefined, hosts, origins)?.refusedBy).toBe("host")
  })
})
