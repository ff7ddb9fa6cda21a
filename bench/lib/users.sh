# Sourced by the harnesses that run `serve` on a database of their own: the one data set (users and
# their tokens) and the one way it is loaded. JAR and DEV_JAR are the jars' copies (bench/lib/jar.sh).
#
#   db_migrate DB_URL LOG         the service's migrations (`migrate` of JAR), its output in LOG
#   mint_users USERS TOKENS DIR   bench/tools/MintTokens.java: DIR/issuer.pem (the public key, for
#                                 CLERK_JWT_KEY), DIR/users.csv (USERS users: n, id, clerk_user_id)
#                                 and DIR/tokens.txt (session tokens of TOKENS of them, one a line)
#   seed_users DIR PSQL...        DIR/users.csv into `users` (timezone UTC) and into bench_users
#                                 (n, id, clerk_user_id: how bench/pgbench picks a user), then
#                                 VACUUM ANALYZE and CHECKPOINT, so a run starts on settled tables;
#                                 PSQL... is the psql command line of the migrated database

db_migrate() {
  # Not latency-bound: a generous connect timeout for a cold JVM on a loaded host.
  DATABASE_URL=$1 DB_CONNECT_TIMEOUT_MS=10000 LOG_FORMAT=text java -jar "$JAR" migrate >"$2" 2>&1 \
    || { cat "$2" >&2; return 1; }
}

mint_users() {
  java -cp "$JAR:$DEV_JAR" bench/tools/MintTokens.java "$1" "$2" "$3"
}

seed_users() {
  local dir=$1
  shift
  "$@" -c "CREATE TABLE bench_users (n int PRIMARY KEY, id uuid NOT NULL, clerk_user_id text NOT NULL)" \
    -c "\\copy bench_users FROM '$dir/users.csv' WITH (FORMAT csv)" \
    -c "INSERT INTO users (id, clerk_user_id, preferences) SELECT id, clerk_user_id, '{\"timezone\": \"UTC\"}' FROM bench_users" \
    -c "VACUUM ANALYZE" -c "CHECKPOINT"
}
