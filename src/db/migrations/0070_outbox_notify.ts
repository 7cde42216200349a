import { sql, type Kysely } from 'kysely';

// A queued mail wakes the mail workers at once instead of at their next poll: PostgreSQL delivers
// the notification when (and only when) the inserting transaction commits, to every process that
// listens, so a rolled-back mail wakes nobody. One notification per statement; PostgreSQL folds
// identical notifications of one transaction into one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function outbox_mails_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('outbox_mails', '');
      return null;
    end $$`.execute(db);
  await sql`create trigger outbox_mails_notify after insert on outbox_mails for each statement execute function outbox_mails_notify()`.execute(db);
}
