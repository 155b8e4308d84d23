#!/bin/sh
# Container entry point. The first argument selects the program, and exec
# replaces this shell, so the signals that tini forwards reach Node directly.
set -eu

# The image installs the app in /app. APP_ROOT points elsewhere for a run outside it.
root="${APP_ROOT:-/app}"

print_usage() {
  echo "usage: docker-entrypoint.sh portal|console|worker|migrate|tenants apply <folder>..." >&2
}

if [ "$#" -eq 0 ]; then
  print_usage
  exit 64
fi

command="$1"
shift
case "$command" in
  portal | console | worker)
    exec node "$root/dist/apps/$command/src/main.js" "$@"
    ;;
  migrate)
    exec node "$root/dist/libs/db/src/cli/migrate.js" "$@"
    ;;
  tenants)
    exec node "$root/dist/libs/provisioning/src/cli.js" "$@"
    ;;
  *)
    echo "unknown command \"$command\": expected portal, console, worker, migrate or tenants" >&2
    print_usage
    exit 64
    ;;
esac
