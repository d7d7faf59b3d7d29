import { appDatabase as instance } from "@bulwark/database/testing"
import { Layer } from "effect"

export { dropDatabase, TestDatabase } from "@bulwark/database/testing"

/** A database layer (its own pool) and a migration registry on the test database: one "instance" of the app. */
export const appDatabase = instance(4).pipe(Layer.orDie)
