import { sql, type Kysely } from 'kysely';

// Only a statement that queued a mail wakes the mail workers. A statement trigger fires even when
// its insert adds no rows, and the approval's one statement (approveNewLoginAtOnce) inserts its
// mail with a condition that is false whenever it leaves the approval to the transaction.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger outbox_mails_notify on outbox_mails`.execute(db);
  await sql`create or replace function outbox_mails_notify() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from queued) then
        perform pg_notify('outbox_mails', '');
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger outbox_mails_notify after insert on outbox_mails referencing new table as queued
    for each statement execute function outbox_mails_notify()`.execute(db);
}
