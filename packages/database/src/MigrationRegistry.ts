/**
 * The migrations this process knows about, by owner, so that readiness can ask whether all of them are applied.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { MigrationsInvalid } from "./Errors.ts"
import type { Migration } from "./Migration.ts"

/** Checks a migration list: non-empty owner and ids, ids unique within the owner. */
export const validate = (
  owner: string,
  migrations: ReadonlyArray<Migration>
): Effect.Effect<void, MigrationsInvalid> => {
  const invalid = (message: string) => Effect.fail(new MigrationsInvalid({ owner, message }))
  if (owner.trim() === "") return invalid("A migration owner must be a non-empty name, such as the plugin's name.")
  const seen = new Set<string>()
  for (const migration of migrations) {
    if (migration.id.trim() === "") {
      return invalid(`Migration "${migration.name}" of "${owner}" has an empty id; give every migration a unique id.`)
    }
    if (seen.has(migration.id)) {
      return invalid(`"${owner}" has two migrations with id "${migration.id}"; ids must be unique within an owner.`)
    }
    seen.add(migration.id)
  }
  return Effect.void
}

const sameList = (a: ReadonlyArray<Migration>, b: ReadonlyArray<Migration>): boolean =>
  a.length === b.length && a.every((migration, i) => migration.id === b[i]?.id && migration.name === b[i]?.name)

/** Registers migration lists by owner and lists them. */
export class MigrationRegistry extends Context.Service<
  MigrationRegistry,
  {
    /** Adds `owner`'s migrations; registering the same list again is a no-op, a different one fails. */
    readonly register: (owner: string, migrations: ReadonlyArray<Migration>) => Effect.Effect<void, MigrationsInvalid>
    /** Everything registered so far, in registration order. */
    readonly registered: Effect.Effect<ReadonlyMap<string, ReadonlyArray<Migration>>>
  }
>()("@bulwark/database/MigrationRegistry") {
  /** An empty registry; provide it once per app so every plugin registers into the same one. */
  static readonly layer: Layer.Layer<MigrationRegistry> = Layer.sync(MigrationRegistry, () => {
    const byOwner = new Map<string, ReadonlyArray<Migration>>()
    return MigrationRegistry.of({
      register: (owner, migrations) =>
        validate(owner, migrations).pipe(
          Effect.andThen(
            Effect.suspend(() => {
              const existing = byOwner.get(owner)
              if (existing !== undefined && !sameList(existing, migrations)) {
                return Effect.fail(
                  new MigrationsInvalid({
                    owner,
                    message: `Migrations of "${owner}" were registered twice with different lists; register each owner once.`
                  })
                )
              }
              byOwner.set(owner, [...migrations])
              return Effect.void
            })
          )
        ),
      registered: Effect.sync(() => new Map(byOwner))
    })
  })
}
