/**
 * The API key every test server of a run is started with (imported as its first key through `BULWARK_API_KEY`), and
 * the header that presents it.
 */
import { generateApiKey } from "@bulwark/identity"
import { Redacted } from "effect"

/** A valid, random key for this test run. */
export const testApiKey: string = Redacted.value(generateApiKey().key)

/** `Authorization: Bearer <key>`. */
export const authHeaders: Readonly<Record<string, string>> = { authorization: `Bearer ${testApiKey}` }
