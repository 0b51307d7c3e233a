#!/bin/bash
# TEST DOUBLE of marquezproject/marquez's /usr/src/app/entrypoint.sh: same
# contract (MARQUEZ_CONFIG, JAVA_OPTS), then the java shim runs the double.
set -e
if [[ -z "${MARQUEZ_CONFIG}" ]]; then
  MARQUEZ_CONFIG='marquez.dev.yml'
  echo "WARNING 'MARQUEZ_CONFIG' not set, using development configuration."
fi
JAVA_OPTS="${JAVA_OPTS} -Duser.timezone=UTC"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS} -jar marquez-*.jar server "${MARQUEZ_CONFIG}"
