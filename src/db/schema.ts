import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type Specialty = 'almen_praksis' | 'speciallaege';
export type SelfRegistration = 'none' | 'manual' | 'automatic';
export type PortalFunction = 'econsultation' | 'booking' | 'renewal';
export type StaffRole = 'staff' | 'admin';
/** Who acted for the patient: a custody holder (mor/far) or the holder of a fuldmagt. */
export type ActedByRelation = 'mor' | 'far' | 'fuldmagt';
export type ActorType = 'staff' | 'support' | 'patient' | 'system' | 'cli' | 'integration';

export interface ClinicsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  specialty: Specialty;
  ydernummer: string | null;
  uses_mitid: Generated<boolean>;
  self_registration: Generated<SelfRegistration>;
  auto_approval_allowed: Generated<boolean>;
  offered_functions: ColumnType<PortalFunction[], PortalFunction[] | undefined, PortalFunction[]>;
  econsultation_max_length: Generated<number>;
  created_at: CreatedAt;
  booking_min_hours_ahead: Generated<number>;
  require_staff_2fa: Generated<boolean>;
  booking_max_days_ahead: Generated<number>;
  /** Null: the specialty's default (on for almen praksis). */
  parents_may_act_for_children: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** "Modtager fuldmagter": off refuses fuldmagt receivers at this clinic. */
  accepts_power_of_attorney: Generated<boolean>;
}

export interface StaffUsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  is_support: Generated<boolean>;
  created_at: CreatedAt;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: number | null;
  webauthn_challenge: string | null;
}

export interface StaffMembershipsTable {
  user_id: string;
  clinic_id: string;
  role: StaffRole;
}

export interface StaffSessionsTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  clinic_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface StaffPasswordTokensTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface PatientsTable {
  id: Generated<string>;
  clinic_id: string;
  cpr: string;
  given_name: string;
  family_name: string;
  address: string | null;
  postal_code: string | null;
  city: string | null;
  phone: string | null;
  email: string | null;
  created_at: CreatedAt;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AuditEventsTable {
  id: Generated<number>;
  occurred_at: Timestamp;
  actor_type: ActorType;
  actor_id: string | null;
  clinic_id: string | null;
  patient_id: string | null;
  action: string;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface OutboxMailsTable {
  id: Generated<number>;
  created_at: Timestamp;
  clinic_id: string | null;
  template: string;
  to_address: string;
  subject: string;
  text_body: string | null;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  sent_at: Timestamp | null;
  failed_at: Timestamp | null;
  /** Stable for all attempts: the Message-ID's local part. */
  message_id: string;
  /** The worker holding the lease (locked_until). */
  locked_by: string | null;
  /** The template's parameters with any one-time link taken out (null once sent). */
  template_params: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** The one-time link's token hash, when the mail carries one, and whose token it is. */
  link_token_hash: string | null;
  link_kind: 'patient' | 'staff' | null;
}

export type PatientTokenPurpose = 'activation' | 'password_reset' | 'email_change';

export interface PatientAccountsTable {
  id: Generated<string>;
  cpr: string;
  email: string | null;
  phone: string | null;
  password_hash: string | null;
  activated_at: Timestamp | null;
  failed_logins: Generated<number>;
  stopped_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: Timestamp;
  mitid_uuid: string | null;
}

export interface PortalMembershipsTable {
  id: Generated<string>;
  account_id: string;
  clinic_id: string;
  patient_id: string;
  rights: ColumnType<PortalFunction[], PortalFunction[] | undefined, PortalFunction[]>;
  wants_electronic_reply: Generated<boolean>;
  created_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: 'clinic_deleted' | 'login_deleted' | null;
}

export interface PatientTokensTable {
  token_hash: string;
  account_id: string;
  purpose: PatientTokenPurpose;
  clinic_id: string | null;
  new_email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface PatientLoginChallengesTable {
  id: Generated<string>;
  account_id: string;
  code_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  attempts: Generated<number>;
  used_at: Timestamp | null;
}

export interface PatientSessionsTable {
  id: Generated<string>;
  token_hash: string;
  account_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  stepped_up_at: Timestamp | null;
  stepup_action: StepUpAction | null;
  mitid_loa: ColumnType<string | null, string | null | undefined, string | null>;
  mitid_name: ColumnType<string | null, string | null | undefined, string | null>;
  acting_for_cpr: ColumnType<string | null, string | null | undefined, string | null>;
  acting_for_fuldmagt_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface GpAssignmentsTable {
  cpr: string;
  ydernummer: string | null;
}

export interface CustodyHoldersTable {
  child_cpr: string;
  holder_cpr: string;
}

export interface ChildAccessTable {
  id: Generated<string>;
  clinic_id: string;
  patient_id: string;
  rights: ColumnType<PortalFunction[], PortalFunction[] | undefined, PortalFunction[]>;
  wants_electronic_reply: Generated<boolean>;
  holder_cprs: ColumnType<string[], string[] | undefined, string[]>;
  requested_by_account_id: string | null;
  created_at: Timestamp;
  created_by: string | null;
  ended_at: Timestamp | null;
}

export interface MitidFlowsTable {
  id: Generated<string>;
  browser_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  purpose: 'login' | 'register' | 'stepup';
  clinic_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  patient_session_id: string | null;
  stepup_action: StepUpAction | null;
  waiting_request_ids: string[] | null;
}

export type StepUpAction = 'delete_login' | 'change_email' | 'give_fuldmagt';

export type FuldmagtStatus = 'draft' | 'offered' | 'accepted' | 'declined' | 'revoked' | 'given_up';

export interface FuldmagterTable {
  id: Generated<string>;
  giver_account_id: string;
  giver_name: string;
  receiver_cpr: string;
  receiver_name: string;
  receiver_account_id: string | null;
  clinic_ids: string[];
  functions: PortalFunction[];
  /** The last day (YYYY-MM-DD) the fuldmagt is valid. */
  valid_until: string;
  status: FuldmagtStatus;
  created_at: Timestamp;
  offered_at: Timestamp | null;
  accepted_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface MitidIdentitiesTable {
  id: Generated<string>;
  token_hash: string;
  clinic_id: string;
  cpr: string;
  mitid_uuid: string;
  name: string;
  birth_date: ColumnType<string, string, string>;
  loa: string;
  email: string | null;
  phone: string | null;
  email_code_hash: string | null;
  email_code_attempts: Generated<number>;
  email_verified_at: Timestamp | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export type LoginRequestReason = 'auto_approved' | 'manual_clinic' | 'not_own_doctor' | 'registry_unavailable' | 'no_mitid_clinic' | 'parent_request';
export type RegistryAnswer = 'other_doctor' | 'no_doctor' | 'unknown_cpr';

export interface LoginRequestsTable {
  id: Generated<string>;
  clinic_id: string;
  cpr: string;
  name: string;
  birth_date: ColumnType<string | null, string | null | undefined, string | null>;
  email: string;
  phone: string | null;
  identity_verified: 'mitid' | 'none';
  mitid_uuid: string | null;
  status: 'open' | 'approved' | 'rejected';
  reason: LoginRequestReason;
  registry_answer: RegistryAnswer | null;
  created_at: Timestamp;
  handled_at: Timestamp | null;
  handled_by: string | null;
  rejection_reason: string | null;
  granted_rights: PortalFunction[] | null;
  patient_id: string | null;
  requested_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  requested_by_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EconsultationThreadsTable {
  id: Generated<string>;
  clinic_id: string;
  patient_id: string;
  subject: string;
  status: Generated<'open' | 'closed'>;
  created_at: Timestamp;
  last_message_at: Timestamp;
}

export interface EconsultationMessagesTable {
  id: Generated<string>;
  seq: Generated<number>;
  thread_id: string;
  sender: 'patient' | 'clinic';
  staff_user_id: string | null;
  body: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
  acted_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_name: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_relation: ColumnType<ActedByRelation | null, ActedByRelation | null | undefined, ActedByRelation | null>;
}

export interface EconsultationAttachmentsTable {
  id: Generated<string>;
  message_id: string;
  filename: string;
  content_type: 'image/png' | 'image/jpeg' | 'application/pdf';
  size: number;
  data: Buffer;
}

export interface BookingSlotsTable {
  id: Generated<string>;
  clinic_id: string;
  practitioner: string;
  starts_at: Timestamp;
  duration_minutes: number;
  kind: string;
  created_at: Timestamp;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AppointmentsTable {
  id: Generated<string>;
  slot_id: string;
  clinic_id: string;
  patient_id: string;
  booked_at: Timestamp;
  cancelled_at: Timestamp | null;
  acted_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_name: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_relation: ColumnType<ActedByRelation | null, ActedByRelation | null | undefined, ActedByRelation | null>;
}

export interface MedicationsTable {
  id: Generated<string>;
  clinic_id: string;
  patient_id: string;
  name: string;
  dosage: string;
  habit_forming: Generated<boolean>;
  renewable_online: Generated<boolean>;
  created_at: Timestamp;
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RenewalRequestsTable {
  id: Generated<string>;
  medication_id: string;
  clinic_id: string;
  patient_id: string;
  status: Generated<'requested' | 'approved' | 'rejected'>;
  note: string | null;
  requested_at: Timestamp;
  handled_at: Timestamp | null;
  handled_by: string | null;
  acted_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_name: ColumnType<string | null, string | null | undefined, string | null>;
  acted_by_relation: ColumnType<ActedByRelation | null, ActedByRelation | null | undefined, ActedByRelation | null>;
}

export interface RateLimitCountersTable {
  key: string;
  hits: number;
  window_ends_at: Date;
}

export interface LoginThrottlesTable {
  key: string;
  failures: number;
  next_try_at: Date;
  updated_at: Date;
}

export interface IntegrationsTable {
  id: Generated<string>;
  name: string;
  kind: 'clinic' | 'vendor';
  scopes: string[];
  public_jwk: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  rate_limit_per_minute: Generated<number>;
  created_at: Timestamp;
  created_by: string | null;
  revoked_at: Timestamp | null;
  last_token_at: Timestamp | null;
}

export interface IntegrationClinicsTable {
  integration_id: string;
  clinic_id: string;
}

export interface IntegrationSecretsTable {
  id: Generated<string>;
  integration_id: string;
  secret_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
}

export interface OauthUsedJtisTable {
  integration_id: string;
  jti: string;
  expires_at: Timestamp;
}

export interface EventsTable {
  id: Generated<number>;
  /** xid8, read as text. */
  xid: Generated<string>;
  clinic_id: string;
  type: string;
  occurred_at: Timestamp;
  data: ColumnType<Record<string, string>, string, never>;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  integration_id: string;
  url: string;
  event_types: string[];
  secret: string;
  created_at: Timestamp;
  failing_since: Timestamp | null;
  disabled_at: Timestamp | null;
  /** xid8, read as text. */
  cursor_xid: string | null;
  cursor_id: Generated<number>;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: string;
  event_id: number;
  clinic_id: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  last_status_code: number | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface PasswordResetRequestsTable {
  id: string;
  identifier: string;
  ip: string | null;
  created_at: Timestamp;
}

export interface StaffRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
}

export interface StaffLoginChallengesTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  attempts: Generated<number>;
  used_at: Timestamp | null;
  webauthn_challenge: string | null;
}

export interface StaffPasskeysTable {
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface PlatformSettingsTable {
  id: Generated<boolean>;
  require_staff_2fa: Generated<boolean>;
}

export interface DataExportsTable {
  id: Generated<string>;
  account_id: string;
  status: Generated<'pending' | 'ready' | 'failed'>;
  created_at: Timestamp;
  ready_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** The ZIP's size in bytes, once ready (its bytes are in data_export_parts). */
  file_size: number | null;
  /** How many times a worker claimed it (3 and it is failed). */
  attempts: Generated<number>;
  /** The claim's lease, until the build transaction holds the row lock. */
  claimed_until: Timestamp | null;
  /** A newer export replaced it: no new downloads, parts kept briefly for one in progress. */
  replaced_at: Timestamp | null;
}

export interface DataExportPartsTable {
  export_id: string;
  seq: number;
  bytes: Buffer;
}

export interface DB {
  data_exports: DataExportsTable;
  data_export_parts: DataExportPartsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  integrations: IntegrationsTable;
  integration_clinics: IntegrationClinicsTable;
  integration_secrets: IntegrationSecretsTable;
  oauth_used_jtis: OauthUsedJtisTable;
  events: EventsTable;
  rate_limit_counters: RateLimitCountersTable;
  login_throttles: LoginThrottlesTable;
  econsultation_threads: EconsultationThreadsTable;
  econsultation_messages: EconsultationMessagesTable;
  econsultation_attachments: EconsultationAttachmentsTable;
  booking_slots: BookingSlotsTable;
  appointments: AppointmentsTable;
  medications: MedicationsTable;
  renewal_requests: RenewalRequestsTable;
  gp_assignments: GpAssignmentsTable;
  custody_holders: CustodyHoldersTable;
  child_access: ChildAccessTable;
  fuldmagter: FuldmagterTable;
  mitid_flows: MitidFlowsTable;
  mitid_identities: MitidIdentitiesTable;
  login_requests: LoginRequestsTable;
  patient_accounts: PatientAccountsTable;
  portal_memberships: PortalMembershipsTable;
  patient_tokens: PatientTokensTable;
  patient_login_challenges: PatientLoginChallengesTable;
  patient_sessions: PatientSessionsTable;
  clinics: ClinicsTable;
  staff_users: StaffUsersTable;
  staff_memberships: StaffMembershipsTable;
  staff_sessions: StaffSessionsTable;
  staff_password_tokens: StaffPasswordTokensTable;
  patients: PatientsTable;
  audit_events: AuditEventsTable;
  outbox_mails: OutboxMailsTable;
  password_reset_requests: PasswordResetRequestsTable;
  staff_recovery_codes: StaffRecoveryCodesTable;
  staff_login_challenges: StaffLoginChallengesTable;
  platform_settings: PlatformSettingsTable;
  staff_passkeys: StaffPasskeysTable;
}

export type Clinic = Selectable<ClinicsTable>;
export type Patient = Selectable<PatientsTable>;
