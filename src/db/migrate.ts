import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Database } from './database.ts';
import * as m0001 from './migrations/0001_walking_skeleton.ts';
import * as m0002 from './migrations/0002_patient_portal_access.ts';
import * as m0003 from './migrations/0003_mitid_registration.ts';
import * as m0004 from './migrations/0004_queue_indexes.ts';
import * as m0005 from './migrations/0005_portal_functions.ts';
import * as m0006 from './migrations/0006_shared_counters.ts';
import * as m0007 from './migrations/0007_mail_message_ids.ts';
import * as m0008 from './migrations/0008_one_live_link.ts';
import * as m0009 from './migrations/0009_mail_links.ts';
import * as m0010 from './migrations/0010_integrations.ts';
import * as m0011 from './migrations/0011_events.ts';
import * as m0012 from './migrations/0012_external_ids.ts';
import * as m0013 from './migrations/0013_webhooks.ts';
import * as m0014 from './migrations/0014_integration_last_token.ts';
import * as m0020 from './migrations/0020_security.ts';
import * as m0021 from './migrations/0021_staff_second_factor.ts';
import * as m0022 from './migrations/0022_staff_passkeys.ts';
import * as m0030 from './migrations/0030_patient_stepup.ts';
import * as m0040 from './migrations/0040_patient_name_search.ts';
import * as m0050 from './migrations/0050_my_log_indexes.ts';
import * as m0051 from './migrations/0051_data_exports.ts';
import * as m0052 from './migrations/0052_data_export_attempts.ts';
import * as m0060 from './migrations/0060_custody.ts';
import * as m0061 from './migrations/0061_acting_for_children.ts';
import * as m0062 from './migrations/0062_parent_requests.ts';
import * as m0065 from './migrations/0065_fuldmagt.ts';
import * as m0070 from './migrations/0070_outbox_notify.ts';
import * as m0071 from './migrations/0071_outbox_notify_when_queued.ts';

// Listed by hand rather than read from disk so the set is fixed at build time and typed.
const migrations: Record<string, Migration> = {
  '0001_walking_skeleton': m0001,
  '0002_patient_portal_access': m0002,
  '0003_mitid_registration': m0003,
  '0004_queue_indexes': m0004,
  '0005_portal_functions': m0005,
  '0006_shared_counters': m0006,
  '0007_mail_message_ids': m0007,
  '0008_one_live_link': m0008,
  '0009_mail_links': m0009,
  '0010_integrations': m0010,
  '0011_events': m0011,
  '0012_external_ids': m0012,
  '0013_webhooks': m0013,
  '0014_integration_last_token': m0014,
  '0020_security': m0020,
  '0021_staff_second_factor': m0021,
  '0022_staff_passkeys': m0022,
  '0030_patient_stepup': m0030,
  '0040_patient_name_search': m0040,
  '0050_my_log_indexes': m0050,
  '0051_data_exports': m0051,
  '0052_data_export_attempts': m0052,
  '0060_custody': m0060,
  '0061_acting_for_children': m0061,
  '0062_parent_requests': m0062,
  '0065_fuldmagt': m0065,
  '0070_outbox_notify': m0070,
  '0071_outbox_notify_when_queued': m0071,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Applies pending migrations; Kysely takes an advisory lock so two processes starting together are safe.
 * Features get number ranges of their own, so a database may already hold a higher number than a
 * migration merged later (0014 after 0050): unordered migrations are applied, not refused.
 */
export async function migrateToLatest(db: Database): Promise<void> {
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
