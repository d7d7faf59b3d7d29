import { describe, expect, it } from "vitest"
import { jsonString } from "../src/JsonString.ts"

describe("jsonString", () => {
  it("writes exactly what JSON.stringify writes", () => {
    const samples = [
      "",
      "plain text",
      "tools/call",
      crypto.randomUUID(),
      'a "quoted" word',
      "back\\slash",
      "line\nbreak",
      "tab\there",
      "\u0000nul",
      "\u007f delete",
      "caf\u00e9",
      "emoji \u{1f389}",
      "lone \ud800 surrogate",
      "\u2028 separator",
      "~ tilde ! bang # hash [ ] brackets",
      "</script>"
    ]
    for (const text of samples) expect(jsonString(text)).toBe(JSON.stringify(text))
    // Every single character of the first 256 code points and a few beyond.
    for (let code = 0; code < 0x300; code++) {
      const text = `x${String.fromCharCode(code)}y`
      expect(jsonString(text)).toBe(JSON.stringify(text))
    }
  })
})
