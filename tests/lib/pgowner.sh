# Sourced by the scripts that run servers (pgctl.sh, standby.sh,
# pgbouncer.sh): PostgreSQL and pgbouncer refuse to run as root, so as root
# they run as the 'postgres' OS user (or $BATON_PG_OSUSER).
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${BATON_PG_OSUSER:-postgres}" -- "$@"
	else
		"$@"
	fi
}
