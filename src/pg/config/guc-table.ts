// The configuration parameters a PostgreSQL 15 server recognizes (358: every row of
// pg_settings on 15.18 plus the four hidden ones, is_superuser, role, seed and
// session_authorization), so a postgresql.conf parser can tell "unrecognized configuration
// parameter" from a real setting. Each entry is `name|TC[|min|max]`: T the type (b bool,
// i integer, r real, s string, e enum), C the context (i internal, p postmaster, h sighup,
// b backend, B superuser-backend, s superuser, u user); min/max only for unitless integers.

export type GucType = 'bool' | 'integer' | 'real' | 'string' | 'enum';
export type GucContext = 'internal' | 'postmaster' | 'sighup' | 'backend' | 'superuser-backend' | 'superuser' | 'user';

export interface GucDef {
  name: string;
  type: GucType;
  context: GucContext;
  /** range of a unitless integer parameter */
  min?: number;
  max?: number;
  /** the accepted values of an enum, when pgtls checks them (matched case-insensitively) */
  enumValues?: readonly string[];
}

const TYPES: Record<string, GucType> = { b: 'bool', i: 'integer', r: 'real', s: 'string', e: 'enum' };
const CONTEXTS: Record<string, GucContext> = {
  i: 'internal',
  p: 'postmaster',
  h: 'sighup',
  b: 'backend',
  B: 'superuser-backend',
  s: 'superuser',
  u: 'user',
};

/**
 * Enum values checked here. Other enums have hidden aliases (on/off/true...) that pg_settings
 * does not list, so their values are not checked rather than wrongly rejected.
 */
const ENUMS: Record<string, readonly string[]> = {
  ssl_min_protocol_version: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
  ssl_max_protocol_version: ['', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
};

const PG15 = `
DateStyle|su
IntervalStyle|eu
TimeZone|su
allow_in_place_tablespaces|bs
allow_system_table_mods|bs
application_name|su
archive_cleanup_command|sh
archive_command|sh
archive_library|sh
archive_mode|ep
archive_timeout|ih
array_nulls|bu
authentication_timeout|ih
autovacuum|bh
autovacuum_analyze_scale_factor|rh
autovacuum_analyze_threshold|ih|0|2147483647
autovacuum_freeze_max_age|ip|100000|2000000000
autovacuum_max_workers|ip|1|262143
autovacuum_multixact_freeze_max_age|ip|10000|2000000000
autovacuum_naptime|ih
autovacuum_vacuum_cost_delay|rh
autovacuum_vacuum_cost_limit|ih|-1|10000
autovacuum_vacuum_insert_scale_factor|rh
autovacuum_vacuum_insert_threshold|ih|-1|2147483647
autovacuum_vacuum_scale_factor|rh
autovacuum_vacuum_threshold|ih|0|2147483647
autovacuum_work_mem|ih
backend_flush_after|iu
backslash_quote|eu
backtrace_functions|ss
bgwriter_delay|ih
bgwriter_flush_after|ih
bgwriter_lru_maxpages|ih|0|1073741823
bgwriter_lru_multiplier|rh
block_size|ii|8192|8192
bonjour|bp
bonjour_name|sp
bytea_output|eu
check_function_bodies|bu
checkpoint_completion_target|rh
checkpoint_flush_after|ih
checkpoint_timeout|ih
checkpoint_warning|ih
client_connection_check_interval|iu
client_encoding|su
client_min_messages|eu
cluster_name|sp
commit_delay|is|0|100000
commit_siblings|iu|0|1000
compute_query_id|es
config_file|sp
constraint_exclusion|eu
cpu_index_tuple_cost|ru
cpu_operator_cost|ru
cpu_tuple_cost|ru
cursor_tuple_fraction|ru
data_checksums|bi
data_directory|sp
data_directory_mode|ii|0|511
data_sync_retry|bp
db_user_namespace|bh
deadlock_timeout|is
debug_assertions|bi
debug_discard_caches|is|0|0
debug_pretty_print|bu
debug_print_parse|bu
debug_print_plan|bu
debug_print_rewritten|bu
default_statistics_target|iu|1|10000
default_table_access_method|su
default_tablespace|su
default_text_search_config|su
default_toast_compression|eu
default_transaction_deferrable|bu
default_transaction_isolation|eu
default_transaction_read_only|bu
dynamic_library_path|ss
dynamic_shared_memory_type|ep
effective_cache_size|iu
effective_io_concurrency|iu|0|1000
enable_async_append|bu
enable_bitmapscan|bu
enable_gathermerge|bu
enable_hashagg|bu
enable_hashjoin|bu
enable_incremental_sort|bu
enable_indexonlyscan|bu
enable_indexscan|bu
enable_material|bu
enable_memoize|bu
enable_mergejoin|bu
enable_nestloop|bu
enable_parallel_append|bu
enable_parallel_hash|bu
enable_partition_pruning|bu
enable_partitionwise_aggregate|bu
enable_partitionwise_join|bu
enable_seqscan|bu
enable_sort|bu
enable_tidscan|bu
escape_string_warning|bu
event_source|sp
exit_on_error|bu
extension_destdir|ss
external_pid_file|sp
extra_float_digits|iu|-15|3
force_parallel_mode|eu
from_collapse_limit|iu|1|2147483647
fsync|bh
full_page_writes|bh
geqo|bu
geqo_effort|iu|1|10
geqo_generations|iu|0|2147483647
geqo_pool_size|iu|0|2147483647
geqo_seed|ru
geqo_selection_bias|ru
geqo_threshold|iu|2|2147483647
gin_fuzzy_search_limit|iu|0|2147483647
gin_pending_list_limit|iu
hash_mem_multiplier|ru
hba_file|sp
hot_standby|bp
hot_standby_feedback|bh
huge_page_size|ip
huge_pages|ep
ident_file|sp
idle_in_transaction_session_timeout|iu
idle_session_timeout|iu
ignore_checksum_failure|bs
ignore_invalid_pages|bp
ignore_system_indexes|bb
in_hot_standby|bi
integer_datetimes|bi
is_superuser|bi
jit|bu
jit_above_cost|ru
jit_debugging_support|bB
jit_dump_bitcode|bs
jit_expressions|bu
jit_inline_above_cost|ru
jit_optimize_above_cost|ru
jit_profiling_support|bB
jit_provider|sp
jit_tuple_deforming|bu
join_collapse_limit|iu|1|2147483647
krb_caseins_users|bh
krb_server_keyfile|sh
lc_collate|si
lc_ctype|si
lc_messages|ss
lc_monetary|su
lc_numeric|su
lc_time|su
listen_addresses|sp
lo_compat_privileges|bs
local_preload_libraries|su
lock_timeout|iu
log_autovacuum_min_duration|ih
log_checkpoints|bh
log_connections|bB
log_destination|sh
log_directory|sh
log_disconnections|bB
log_duration|bs
log_error_verbosity|es
log_executor_stats|bs
log_file_mode|ih|0|511
log_filename|sh
log_hostname|bh
log_line_prefix|sh
log_lock_waits|bs
log_min_duration_sample|is
log_min_duration_statement|is
log_min_error_statement|es
log_min_messages|es
log_parameter_max_length|is
log_parameter_max_length_on_error|iu
log_parser_stats|bs
log_planner_stats|bs
log_recovery_conflict_waits|bh
log_replication_commands|bs
log_rotation_age|ih
log_rotation_size|ih
log_startup_progress_interval|ih
log_statement|es
log_statement_sample_rate|rs
log_statement_stats|bs
log_temp_files|is
log_timezone|sh
log_transaction_sample_rate|rs
log_truncate_on_rotation|bh
logging_collector|bp
logical_decoding_work_mem|iu
maintenance_io_concurrency|iu|0|1000
maintenance_work_mem|iu
max_connections|ip|1|262143
max_files_per_process|ip|64|2147483647
max_function_args|ii|100|100
max_identifier_length|ii|63|63
max_index_keys|ii|32|32
max_locks_per_transaction|ip|10|2147483647
max_logical_replication_workers|ip|0|262143
max_parallel_maintenance_workers|iu|0|1024
max_parallel_workers|iu|0|1024
max_parallel_workers_per_gather|iu|0|1024
max_pred_locks_per_page|ih|0|2147483647
max_pred_locks_per_relation|ih|-2147483648|2147483647
max_pred_locks_per_transaction|ip|10|2147483647
max_prepared_transactions|ip|0|262143
max_replication_slots|ip|0|262143
max_slot_wal_keep_size|ih
max_stack_depth|is
max_standby_archive_delay|ih
max_standby_streaming_delay|ih
max_sync_workers_per_subscription|ih|0|262143
max_wal_senders|ip|0|262143
max_wal_size|ih
max_worker_processes|ip|0|262143
min_dynamic_shared_memory|ip
min_parallel_index_scan_size|iu
min_parallel_table_scan_size|iu
min_wal_size|ih
old_snapshot_threshold|ip
parallel_leader_participation|bu
parallel_setup_cost|ru
parallel_tuple_cost|ru
password_encryption|eu
plan_cache_mode|eu
port|ip|1|65535
post_auth_delay|ib
pre_auth_delay|ih
primary_conninfo|sh
primary_slot_name|sh
promote_trigger_file|sh
quote_all_identifiers|bu
random_page_cost|ru
recovery_end_command|sh
recovery_init_sync_method|eh
recovery_min_apply_delay|ih
recovery_prefetch|eh
recovery_target|sp
recovery_target_action|ep
recovery_target_inclusive|bp
recovery_target_lsn|sp
recovery_target_name|sp
recovery_target_time|sp
recovery_target_timeline|sp
recovery_target_xid|sp
recursive_worktable_factor|ru
remove_temp_files_after_crash|bh
restart_after_crash|bh
restore_command|sh
restrict_nonsystem_relation_kind|su
role|su
row_security|bu
search_path|su
seed|ru
segment_size|ii
seq_page_cost|ru
server_encoding|si
server_version|si
server_version_num|ii|150018|150018
session_authorization|su
session_preload_libraries|ss
session_replication_role|es
shared_buffers|ip
shared_memory_size|ii
shared_memory_size_in_huge_pages|ii|-1|2147483647
shared_memory_type|ep
shared_preload_libraries|sp
ssl|bh
ssl_ca_file|sh
ssl_cert_file|sh
ssl_ciphers|sh
ssl_crl_dir|sh
ssl_crl_file|sh
ssl_dh_params_file|sh
ssl_ecdh_curve|sh
ssl_key_file|sh
ssl_library|si
ssl_max_protocol_version|eh
ssl_min_protocol_version|eh
ssl_passphrase_command|sh
ssl_passphrase_command_supports_reload|bh
ssl_prefer_server_ciphers|bh
standard_conforming_strings|bu
statement_timeout|iu
stats_fetch_consistency|eu
superuser_reserved_connections|ip|0|262143
synchronize_seqscans|bu
synchronous_commit|eu
synchronous_standby_names|sh
syslog_facility|eh
syslog_ident|sh
syslog_sequence_numbers|bh
syslog_split_messages|bh
tcp_keepalives_count|iu|0|2147483647
tcp_keepalives_idle|iu
tcp_keepalives_interval|iu
tcp_user_timeout|iu
temp_buffers|iu
temp_file_limit|is
temp_tablespaces|su
timezone_abbreviations|su
trace_notify|bu
trace_recovery_messages|eh
trace_sort|bu
track_activities|bs
track_activity_query_size|ip
track_commit_timestamp|bp
track_counts|bs
track_functions|es
track_io_timing|bs
track_wal_io_timing|bs
transaction_deferrable|bu
transaction_isolation|eu
transaction_read_only|bu
transform_null_equals|bu
unix_socket_directories|sp
unix_socket_group|sp
unix_socket_permissions|ip|0|511
update_process_title|bs
vacuum_cost_delay|ru
vacuum_cost_limit|iu|1|10000
vacuum_cost_page_dirty|iu|0|10000
vacuum_cost_page_hit|iu|0|10000
vacuum_cost_page_miss|iu|0|10000
vacuum_defer_cleanup_age|ih|0|1000000
vacuum_failsafe_age|iu|0|2100000000
vacuum_freeze_min_age|iu|0|1000000000
vacuum_freeze_table_age|iu|0|2000000000
vacuum_multixact_failsafe_age|iu|0|2100000000
vacuum_multixact_freeze_min_age|iu|0|1000000000
vacuum_multixact_freeze_table_age|iu|0|2000000000
wal_block_size|ii|8192|8192
wal_buffers|ip
wal_compression|es
wal_consistency_checking|ss
wal_decode_buffer_size|ip
wal_init_zero|bs
wal_keep_size|ih
wal_level|ep
wal_log_hints|bp
wal_receiver_create_temp_slot|bh
wal_receiver_status_interval|ih
wal_receiver_timeout|ih
wal_recycle|bs
wal_retrieve_retry_interval|ih
wal_segment_size|ii
wal_sender_timeout|iu
wal_skip_threshold|iu
wal_sync_method|eh
wal_writer_delay|ih
wal_writer_flush_after|ih
work_mem|iu
xmlbinary|eu
xmloption|eu
zero_damaged_pages|bs`;

function build(table: string): Map<string, GucDef> {
  const map = new Map<string, GucDef>();
  for (const line of table.trim().split('\n')) {
    const [name, tc, min, max] = line.split('|');
    const def: GucDef = { name, type: TYPES[tc[0]], context: CONTEXTS[tc[1]] };
    if (min !== undefined) {
      def.min = Number(min);
      def.max = Number(max);
    }
    if (ENUMS[name]) def.enumValues = ENUMS[name];
    map.set(name.toLowerCase(), def);
  }
  return map;
}

const GUCS_15 = build(PG15);

/**
 * What the other majors recognize beyond 15 (added) or no longer (removed): the difference
 * between `postgres --describe-config` of 13.23, 14.23, 16.14, 17.10, 18.4 (the builds
 * scripts/install-pg-versions.sh installs) and of Debian's 15. Two names stay whatever that
 * difference says: extension_destdir (the Debian/PGDG packages patch it into every major)
 * and, in 18, ssl_ecdh_curve (an old name guc.c maps to ssl_groups).
 */
const OTHER_MAJORS: Record<number, { added: string; removed: string[] }> = {
  13: {
    added: `
force_parallel_mode|eu
operator_precedence_warning|bu
stats_temp_directory|sh
trace_recovery_messages|eh
vacuum_cleanup_index_scale_factor|ru`,
    removed: [
      'archive_library',
      'client_connection_check_interval',
      'compute_query_id',
      'default_toast_compression',
      'enable_async_append',
      'enable_memoize',
      'huge_page_size',
      'idle_session_timeout',
      'log_recovery_conflict_waits',
      'log_startup_progress_interval',
      'min_dynamic_shared_memory',
      'recovery_init_sync_method',
      'recovery_prefetch',
      'recursive_worktable_factor',
      'ssl_crl_dir',
      'stats_fetch_consistency',
      'track_wal_io_timing',
      'vacuum_failsafe_age',
      'vacuum_multixact_failsafe_age',
      'wal_decode_buffer_size',
    ],
  },
  14: {
    added: `
stats_temp_directory|sh
trace_recovery_messages|eh`,
    removed: [
      'archive_library',
      'log_startup_progress_interval',
      'recovery_prefetch',
      'recursive_worktable_factor',
      'stats_fetch_consistency',
      'wal_decode_buffer_size',
    ],
  },
  16: {
    added: `
createrole_self_grant|su
enable_presorted_aggregate|bu
file_extend_method|eh
gss_accept_delegation|bh
icu_validation_level|eu
max_parallel_apply_workers_per_subscription|ih
reserved_connections|ip
scram_iterations|iu
vacuum_buffer_usage_limit|iu`,
    removed: ['promote_trigger_file', 'vacuum_defer_cleanup_age'],
  },
  17: {
    added: `
allow_alter_system|bh
commit_timestamp_buffers|ip
createrole_self_grant|su
enable_group_by_reordering|bu
enable_presorted_aggregate|bu
event_triggers|bs
file_extend_method|eh
gss_accept_delegation|bh
icu_validation_level|eu
io_combine_limit|iu
max_notify_queue_pages|ip
max_parallel_apply_workers_per_subscription|ih
multixact_member_buffers|ip
multixact_offset_buffers|ip
notify_buffers|ip
reserved_connections|ip
scram_iterations|iu
serializable_buffers|ip
subtransaction_buffers|ip
summarize_wal|bh
sync_replication_slots|bh
synchronized_standby_slots|sh
transaction_buffers|ip
transaction_timeout|iu
vacuum_buffer_usage_limit|iu
wal_summary_keep_time|ih`,
    removed: ['db_user_namespace', 'old_snapshot_threshold', 'promote_trigger_file', 'vacuum_defer_cleanup_age'],
  },
  18: {
    added: `
allow_alter_system|bh
autovacuum_vacuum_max_threshold|ih
autovacuum_worker_slots|ip
commit_timestamp_buffers|ip
createrole_self_grant|su
enable_distinct_reordering|bu
enable_group_by_reordering|bu
enable_presorted_aggregate|bu
enable_self_join_elimination|bu
event_triggers|bs
extension_control_path|ss
file_copy_method|eu
file_extend_method|eh
gss_accept_delegation|bh
icu_validation_level|eu
idle_replication_slot_timeout|ih
io_combine_limit|iu
io_max_combine_limit|ip
io_max_concurrency|ip
io_method|ep
io_workers|ih
log_lock_failures|bs
max_active_replication_origins|ip
max_notify_queue_pages|ip
max_parallel_apply_workers_per_subscription|ih
md5_password_warnings|bu
multixact_member_buffers|ip
multixact_offset_buffers|ip
notify_buffers|ip
oauth_validator_libraries|sh
reserved_connections|ip
scram_iterations|iu
serializable_buffers|ip
ssl_groups|sh
ssl_tls13_ciphers|sh
subtransaction_buffers|ip
summarize_wal|bh
sync_replication_slots|bh
synchronized_standby_slots|sh
track_cost_delay_timing|bs
transaction_buffers|ip
transaction_timeout|iu
vacuum_buffer_usage_limit|iu
vacuum_max_eager_freeze_failure_rate|ru
vacuum_truncate|bu
wal_summary_keep_time|ih`,
    removed: ['db_user_namespace', 'old_snapshot_threshold', 'promote_trigger_file', 'vacuum_defer_cleanup_age'],
  },
};

const TABLES = new Map<number, Map<string, GucDef>>([[15, GUCS_15]]);

function tableOf(pgVersion: number): Map<string, GucDef> {
  let t = TABLES.get(pgVersion);
  if (!t) {
    const d = OTHER_MAJORS[pgVersion];
    t = new Map(GUCS_15);
    if (d) {
      for (const n of d.removed) t.delete(n);
      for (const [k, v] of build(d.added)) t.set(k, v);
    }
    TABLES.set(pgVersion, t);
  }
  return t;
}

/** The definition of a parameter in a major (names are case-insensitive, as guc_name_compare makes them). */
export function findGuc(name: string, pgVersion: number): GucDef | undefined {
  return tableOf(pgVersion).get(name.toLowerCase());
}
