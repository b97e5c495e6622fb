#!/bin/sh
# Entry point of the lambda-sandbox image. It turns the image's file conventions into the init's settings and
# then replaces itself with the init (exec), so the init is PID 1 and receives `docker stop`'s SIGTERM directly.
#
#   /var/task                      function code as a directory (bind mount or copied in)
#   /var/sandbox/function.zip      function code as a zip, unpacked into /var/task at start
#   /var/sandbox/layers/*.zip      layer zips, applied to /opt in the lexical order of their file names
#
# An explicit LAMBDA_SANDBOX_FUNCTION_ZIP or LAMBDA_SANDBOX_LAYERS wins over these conventions. (The init itself,
# as PID 1, adds sandbox.localdomain to /etc/hosts and runs the function as LAMBDA_SANDBOX_RUN_AS.)
set -eu

# `docker run -v /var/run/docker.sock:/var/run/docker.sock -p 127.0.0.1:9000:9000 lambda-sandbox serve`: the Lambda
# service instead of one environment. It listens on all interfaces of the container and keeps its functions in
# /var/lib/lambda-sandbox (mount a volume there to keep them); later options win. LAMBDA_SANDBOX_SERVE=1 does the same
# where no command can be given (a CI service container).
if [ "${LAMBDA_SANDBOX_SERVE:-}" = 1 ] && [ $# -eq 0 ]; then set -- serve; fi
case "${1:-}" in
  serve)
    shift
    exec node /usr/local/lib/lambda-sandbox/dist/src/host/cli/main.js serve --host 0.0.0.0 --data-dir /var/lib/lambda-sandbox "$@"
    ;;
esac

sandbox_dir=/var/sandbox

if [ -z "${LAMBDA_SANDBOX_FUNCTION_ZIP:-}" ] && [ -f "$sandbox_dir/function.zip" ]; then
  export LAMBDA_SANDBOX_FUNCTION_ZIP="$sandbox_dir/function.zip"
fi

if [ -z "${LAMBDA_SANDBOX_LAYERS:-}" ]; then
  layers=
  for layer in "$sandbox_dir"/layers/*.zip; do          # the shell sorts the expansion
    [ -f "$layer" ] || continue
    case "$layer" in
      *:*) echo "lambda-sandbox: layer file name must not contain ':': $layer" >&2; exit 1 ;;
    esac
    layers="${layers:+$layers:}$layer"
  done
  if [ -n "$layers" ]; then export LAMBDA_SANDBOX_LAYERS="$layers"; fi
fi

exec node --max-semi-space-size=2 /usr/local/lib/lambda-sandbox/dist/src/main.js "$@"
