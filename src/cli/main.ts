import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { StaffRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../features/audit/audit.ts';
import { createClinic } from '../features/clinics/create-clinic.ts';
import { importGpRegistryCsv } from '../features/gp-registry/import-gp-registry.ts';
import { importCustodyCsv } from '../features/custody/import-custody.ts';
import { importPatientsCsv } from '../features/patients/import-patients.ts';
import { createStaffUser } from '../features/staff/staff-accounts.ts';
import { openSystem } from '../system.ts';
import { backupDatabase, restoreDatabase, RestoreError } from '../features/backup/backup.ts';
import { createIntegration } from '../features/integrations/integrations.ts';
import { SCOPES } from '../features/integrations/scopes.ts';

const USAGE = `Usage: npx patientportal <command> [options]

Commands:
  migrate                                   apply database migrations
  clinic:create --name NAME --specialty almen_praksis|speciallaege
                [--ydernummer 123456] [--mitid] [--slug SLUG]
  clinic:list                               list clinics with their slugs
  staff:create --email E --name N --clinic SLUG[:admin] [--clinic SLUG2 ...]
                                            create a staff user; a link to choose a
                                            password is mailed through the outbox
  support:create --email E --name N         create a vendor-support user
  patients:import --clinic SLUG FILE.csv    import patients; columns:
                cpr,given_name,family_name,address,postal_code,city,phone,email
                (header row, comma or semicolon); nothing is written if any row is bad
  backup FILE                               write all data to FILE (gzip; works while the
                                            server runs, from one consistent snapshot)
  restore FILE                              load a backup into an empty database (a new
                                            DATA_DIR, or an empty DATABASE_URL) of the same version
  gp-registry:import FILE.csv               load GP assignments (columns cpr,ydernummer; empty
                                            ydernummer = no doctor chosen) for the default
                                            "egen læge" lookup
  custody:import FILE.csv                   load forældremyndighed (columns child_cpr,holder_cpr;
                                            one line per holder; a child in the file gets
                                            exactly the holders the file lists)
  integration:create --clinic SLUG [--clinic SLUG2 ...] --name N --scope S [--scope S2 ...]
                [--vendor] [--jwk PUBLIC_JWK.json]
                                            a clinic system's OAuth client (client credentials);
                                            prints the client id and the secret (shown once).
                                            --vendor: one integration granted several clinics;
                                            --jwk: a public key for private_key_jwt.
                                            Scopes: ${SCOPES.join(', ')}

Uses the same configuration as the server (DATABASE_URL or DATA_DIR, PUBLIC_URL).`;

const CLI_ACTOR: Actor = { type: 'cli', id: null, ip: null };

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

async function clinicIdBySlug(db: Database, slug: string): Promise<string> {
  const clinic = await db.selectFrom('clinics').select('id').where('slug', '=', slug).executeTakeFirst();
  if (!clinic) throw new UsageError(`no clinic with slug "${slug}" (see clinic:list)`);
  return clinic.id;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      specialty: { type: 'string' },
      ydernummer: { type: 'string' },
      slug: { type: 'string' },
      mitid: { type: 'boolean' },
      clinic: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      vendor: { type: 'boolean' },
      jwk: { type: 'string' },
    },
  });
  const config = loadConfig();
  const system = await openSystem(config, { role: 'cli' });
  const { db, clock } = system.ctx;
  try {
    switch (command) {
      case 'migrate':
        console.log('Database is up to date.');
        return 0;
      case 'clinic:create': {
        const specialty = required(values, 'specialty');
        if (specialty !== 'almen_praksis' && specialty !== 'speciallaege') {
          throw new UsageError('--specialty must be almen_praksis or speciallaege');
        }
        const clinic = await createClinic(
          db,
          { name: required(values, 'name'), specialty, ydernummer: values.ydernummer, slug: values.slug, usesMitid: values.mitid },
          CLI_ACTOR,
          clock.now(),
        );
        console.log(`Created clinic ${clinic.slug} (${clinic.id})`);
        return 0;
      }
      case 'clinic:list': {
        const clinics = await db.selectFrom('clinics').select(['slug', 'name', 'specialty']).orderBy('name').execute();
        for (const c of clinics) console.log(`${c.slug}\t${c.name}\t${c.specialty}`);
        return 0;
      }
      case 'staff:create':
      case 'support:create': {
        const isSupport = command === 'support:create';
        const clinics: { clinicId: string; role: StaffRole }[] = [];
        for (const entry of values.clinic ?? []) {
          const [slug, role = 'staff'] = entry.split(':');
          if (slug === undefined) throw new UsageError(`no clinic slug in "${entry}"`);
          if (role !== 'staff' && role !== 'admin') throw new UsageError(`role in "${entry}" must be staff or admin`);
          clinics.push({ clinicId: await clinicIdBySlug(db, slug), role });
        }
        if (!isSupport && clinics.length === 0) throw new UsageError('--clinic is required');
        const user = await createStaffUser(
          db,
          { email: required(values, 'email'), name: required(values, 'name'), isSupport, clinics },
          CLI_ACTOR,
          clock.now(),
          config.publicUrl,
        );
        console.log(`Created ${isSupport ? 'support' : 'staff'} user ${user.id}; a link to choose a password is in the mail queue.`);
        return 0;
      }
      case 'patients:import': {
        const file = positionals[0];
        if (!file) throw new UsageError('name the CSV file');
        const slug = values.clinic?.[0];
        if (!slug) throw new UsageError('--clinic is required');
        const clinicId = await clinicIdBySlug(db, slug);
        const result = await importPatientsCsv(db, clinicId, readFileSync(file), CLI_ACTOR, clock.now());
        if (!result.ok) {
          for (const p of result.problems) console.error(`${file}:${p.line}: ${p.problem}`);
          console.error(`Nothing imported: ${result.problems.length} problem(s).`);
          return 1;
        }
        console.log(`Imported ${result.imported} patient(s).`);
        return 0;
      }
      case 'gp-registry:import': {
        const file = positionals[0];
        if (!file) throw new UsageError('name the CSV file');
        const result = await importGpRegistryCsv(db, readFileSync(file, 'utf8'), CLI_ACTOR, clock.now());
        if (!result.ok) {
          for (const p of result.problems) console.error(`${file}:${p.line}: ${p.problem}`);
          console.error(`Nothing imported: ${result.problems.length} problem(s).`);
          return 1;
        }
        console.log(`Imported ${result.imported} GP assignment(s).`);
        return 0;
      }
      case 'custody:import': {
        const file = positionals[0];
        if (!file) throw new UsageError('name the CSV file');
        const result = await importCustodyCsv(db, readFileSync(file, 'utf8'), CLI_ACTOR, clock.now());
        if (!result.ok) {
          for (const p of result.problems) console.error(`${file}:${p.line}: ${p.problem}`);
          console.error(`Nothing imported: ${result.problems.length} problem(s).`);
          return 1;
        }
        console.log(`Imported custody of ${result.children} child(ren), ${result.holders} holder(s).`);
        return 0;
      }
      case 'backup': {
        const file = positionals[0];
        if (!file) throw new UsageError('name the backup file to write');
        const result = await backupDatabase(system.databaseUrl, file);
        console.log(`Wrote ${file}: ${result.tables} tables, ${result.bytes} bytes (gzip).`);
        return 0;
      }
      case 'restore': {
        const file = positionals[0];
        if (!file) throw new UsageError('name the backup file to read');
        try {
          const result = await restoreDatabase(system.databaseUrl, file);
          console.log(`Restored ${result.rows} rows in ${result.tables} tables from ${file}.`);
          return 0;
        } catch (error) {
          if (!(error instanceof RestoreError)) throw error;
          console.error(`Nothing restored: ${error.message}.`);
          return 1;
        }
      }
      case 'integration:create': {
        const slugs = values.clinic ?? [];
        if (slugs.length === 0) throw new UsageError('--clinic is required');
        const clinicIds: string[] = [];
        for (const slug of slugs) clinicIds.push(await clinicIdBySlug(db, slug));
        const scopes = values.scope ?? [];
        if (scopes.length === 0) throw new UsageError('--scope is required');
        const publicJwk = values.jwk ? (JSON.parse(readFileSync(values.jwk, 'utf8')) as Record<string, unknown>) : null;
        const issued = await createIntegration(
          db,
          { name: required(values, 'name'), clinicIds, scopes, publicJwk, kind: values.vendor ? 'vendor' : 'clinic' },
          CLI_ACTOR,
          clock.now(),
        );
        console.log(`client_id=${issued.clientId}`);
        console.log(`client_secret=${issued.clientSecret}`);
        console.log(`token_url=${config.publicUrl}/oauth/token`);
        console.error('The secret is shown this once; only its hash is stored.');
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await system.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else if (error instanceof AppError) console.error(`${error.messages.en}${error.field ? ` (${error.field})` : ''}`);
    else if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
