/**
 * The tickets plugin's schema, as migrations of owner `"tickets"`. Shipped migrations never change; add new ones.
 *
 * Every table carries `tenant_id` and has `(tenant_id, id)` as its primary key. Foreign keys include `tenant_id`, so
 * a ticket can only reference users, and a comment only tickets and users, of its own tenant.
 */
import type { Migration } from "@bulwark/database"

/** The migration owner under which the tickets schema is recorded. */
export const owner = "tickets"

const createTables = `
CREATE TABLE users (
  tenant_id text NOT NULL,
  id integer GENERATED ALWAYS AS IDENTITY,
  email text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT users_tenant_check CHECK (tenant_id <> ''),
  CONSTRAINT users_email_check CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
  CONSTRAINT users_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email));

CREATE TABLE tickets (
  tenant_id text NOT NULL,
  id integer GENERATED ALWAYS AS IDENTITY,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open',
  priority text NOT NULL DEFAULT 'medium',
  assignee_id integer,
  reporter_id integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT tickets_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT tickets_tenant_check CHECK (tenant_id <> ''),
  CONSTRAINT tickets_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  CONSTRAINT tickets_description_check CHECK (length(description) <= 10000),
  CONSTRAINT tickets_status_check CHECK (status IN ('open', 'in_progress', 'resolved', 'closed', 'deleted')),
  CONSTRAINT tickets_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  CONSTRAINT tickets_deleted_at_check CHECK ((status = 'deleted') = (deleted_at IS NOT NULL)),
  CONSTRAINT tickets_assignee_fkey FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
  CONSTRAINT tickets_reporter_fkey FOREIGN KEY (tenant_id, reporter_id) REFERENCES users (tenant_id, id)
);
-- The list filters: each serves "WHERE tenant_id = $1 AND <filter> = $2 [AND id < $cursor] ORDER BY id DESC".
CREATE INDEX tickets_tenant_status_id_idx ON tickets (tenant_id, status, id);
CREATE INDEX tickets_tenant_priority_id_idx ON tickets (tenant_id, priority, id);
CREATE INDEX tickets_tenant_assignee_id_idx ON tickets (tenant_id, assignee_id, id);
CREATE INDEX tickets_tenant_reporter_id_idx ON tickets (tenant_id, reporter_id, id);

CREATE TABLE ticket_comments (
  tenant_id text NOT NULL,
  id integer GENERATED ALWAYS AS IDENTITY,
  ticket_id integer NOT NULL,
  author_id integer NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ticket_comments_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT ticket_comments_tenant_check CHECK (tenant_id <> ''),
  CONSTRAINT ticket_comments_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
  CONSTRAINT ticket_comments_ticket_fkey FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id),
  CONSTRAINT ticket_comments_author_fkey FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX ticket_comments_tenant_ticket_id_idx ON ticket_comments (tenant_id, ticket_id, id);
CREATE INDEX ticket_comments_tenant_author_id_idx ON ticket_comments (tenant_id, author_id);
`

/** The tickets plugin's migrations, in order (owner {@link owner}). */
export const ticketMigrations: ReadonlyArray<Migration> = [
  { id: "0001", name: "create users, tickets and ticket_comments", up: createTables }
]
