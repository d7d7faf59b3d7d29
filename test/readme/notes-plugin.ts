/**
 * The README's "A plugin with a database": a notes plugin on the server's PostgreSQL, loaded by the bundled server
 * from this file (`plugins.notes.module`) in `test/e2e/database-plugin.test.ts`.
 */
// #region readme
import { SqlPlugin } from "@bulwark/database"
import { Effect, Schema } from "effect"

const Note = Schema.Struct({ id: Schema.Int, title: Schema.String, body: Schema.String })

export default SqlPlugin.make({
  name: "notes",
  version: "1.0.0",
  migrations: [
    `CREATE TABLE notes (id serial PRIMARY KEY, tenant_id text NOT NULL, title text NOT NULL, body text NOT NULL)`
  ],
  tools: [
    SqlPlugin.read("list_notes", {
      description: "The caller's notes, newest first.",
      input: Schema.Struct({ limit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 })) }),
      output: Schema.Struct({ notes: Schema.Array(Note) }),
      run: ({ limit }, { sql, tenantId }) =>
        sql<typeof Note.Type>`SELECT id, title, body FROM notes WHERE tenant_id = ${tenantId}
                              ORDER BY id DESC LIMIT ${limit}`.pipe(Effect.map((notes) => ({ notes })))
    }),
    SqlPlugin.write("add_note", {
      description: "Adds a note; answers its id.",
      input: Schema.Struct({ title: Schema.NonEmptyString, body: Schema.String }),
      run: ({ title, body }, { sql, tenantId }) =>
        sql<{ id: number }>`INSERT INTO notes (tenant_id, title, body)
                            VALUES (${tenantId}, ${title}, ${body}) RETURNING id`.pipe(
          Effect.map(([note]) => `Added note ${note?.id}.`)
        )
    })
  ]
})
// #endregion readme
