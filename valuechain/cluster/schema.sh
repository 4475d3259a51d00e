#!/bin/sh
# Temporal's two databases on PostgreSQL: created when missing, version tables set up,
# then migrated to the newest schema the tool embeds. Every step is idempotent (create
# ignores an existing database, setup never lowers a version, update applies only what is
# missing), so `make cluster` runs it on every start, and so does docker-compose.yml's
# `temporal-schema` step (in the admin-tools image). One script for both.
#
# Environment: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (temporal-sql-tool reads them);
# TEMPORAL_SQL_TOOL, the tool's path (default: temporal-sql-tool on PATH).
set -eu
export SQL_PLUGIN="${SQL_PLUGIN:-postgres12}"
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=postgresql/v12/temporal ;;
    *) schema=postgresql/v12/visibility ;;
  esac
  echo "schema: $db ($schema)"
  "$tool" --db "$db" create
  "$tool" --db "$db" setup-schema -v 0.0
  "$tool" --db "$db" update-schema --schema-name "$schema"
done
