/**
 * The functions a query may call: PostgreSQL built-ins that only compute from their arguments or read the rows in
 * front of them. Everything else is refused by name, in particular what sleeps (`pg_sleep`), reaches out (`dblink`,
 * `lo_import`), reads files (`pg_read_file`), changes settings (`set_config`), signals backends
 * (`pg_terminate_backend`), takes locks (`pg_advisory_lock`), or reads other sessions and the server (`pg_stat_*`,
 * `current_setting`, `inet_server_addr`). Names are compared in lower case, unqualified or in `pg_catalog`.
 */

const names = `
count sum avg min max bool_and bool_or every array_agg string_agg json_agg jsonb_agg json_object_agg
jsonb_object_agg stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp regr_slope
regr_intercept regr_r2 regr_count percentile_cont percentile_disc mode rank dense_rank percent_rank cume_dist
row_number ntile lag lead first_value last_value nth_value grouping
abs ceil ceiling floor round trunc sign sqrt cbrt exp ln log log10 power pow mod div greatest least width_bucket
random_normal pi degrees radians sin cos tan asin acos atan atan2 gcd lcm factorial scale
length char_length character_length octet_length bit_length lower upper initcap trim btrim ltrim rtrim lpad rpad
substr substring position strpos replace translate left right repeat reverse split_part concat concat_ws format
starts_with regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_split_to_table regexp_like
regexp_count regexp_substr regexp_instr md5 encode decode to_hex ascii chr quote_ident quote_literal unaccent
string_to_array array_to_string array_length array_upper array_lower cardinality array_position array_positions
array_remove array_replace array_append array_prepend array_cat unnest array_dims
now current_date current_time current_timestamp localtime localtimestamp statement_timestamp
transaction_timestamp date_trunc date_part extract date_bin age make_date make_time make_timestamp
make_timestamptz make_interval justify_days justify_hours justify_interval to_char to_date to_timestamp to_number
isfinite timezone generate_series
json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb row_to_json
array_to_json json_array_length jsonb_array_length json_extract_path jsonb_extract_path json_extract_path_text
jsonb_extract_path_text json_object_keys jsonb_object_keys json_typeof jsonb_typeof json_array_elements
jsonb_array_elements json_array_elements_text jsonb_array_elements_text json_each jsonb_each json_each_text
jsonb_each_text jsonb_strip_nulls jsonb_set jsonb_insert jsonb_pretty jsonb_path_query jsonb_path_query_array
jsonb_path_query_first jsonb_path_exists jsonb_path_match json_strip_nulls
coalesce nullif num_nonnulls num_nulls
`

/** The allowed functions' names. */
export const allowedFunctions: ReadonlySet<string> = new Set(names.split(/\s+/).filter((name) => name !== ""))
