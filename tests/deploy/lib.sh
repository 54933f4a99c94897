# Shared helpers for the deployment tests (sourced). Each test runs real programs on loopback ports
# inside a temporary directory and cleans up the processes it started.
set -euo pipefail

LEXICON=${1:?usage: $0 path/to/lexicon [source-dir]}
SOURCE_DIR=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lexicon-deploy.XXXXXX")
PIDS=()
FAILURES=0

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A TCP port nobody listens on (bash's /dev/tcp: a refused connection means free). Taken from below
# the kernel's ephemeral range (32768+): there a busy neighbour test's outgoing connections hold local
# ports that refuse connections yet cannot be bound, and the server would die on "address in use".
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port" >&2
  return 1
}

# wait_for_port PORT [PID LOG]: waits up to 30 s (a loaded CI machine); with PID, fails at once
# when that process has exited, and shows its LOG.
wait_for_port() {
  local port=$1 pid=${2:-} log=${3:-}
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "the server for port $port exited before listening" >&2
      [ -n "$log" ] && cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "nothing listens on port $port after 30 s" >&2
  [ -n "$log" ] && cat "$log" >&2
  return 1
}

# Builds the fixture lexicon into $TMP/site with base_url https://example.org/<prefix>.
build_fixture() {
  local prefix=$1
  cp -r "$SOURCE_DIR/tests/fixtures/good/content" "$TMP/content"
  sed -i "s|^base_url:.*|base_url: https://example.org$prefix|" "$TMP/content/lexicon.yaml"
  "$LEXICON" --content "$TMP/content" --templates "$SOURCE_DIR/templates" --site "$TMP/site" --jobs 2 build
}

# Starts `lexicon serve` with extra arguments on a free port; sets SERVE_PORT.
start_serve() {
  SERVE_PORT=$(free_port)
  "$LEXICON" --site "$TMP/site" "$@" serve --port "$SERVE_PORT" 2>"$TMP/serve-$SERVE_PORT.log" &
  PIDS+=($!)
  wait_for_port "$SERVE_PORT" "$!" "$TMP/serve-$SERVE_PORT.log"
}

# check NAME EXPECTED_STATUS(regex, e.g. 400|404) URL [grep-pattern-in-body] [curl args...]
check() {
  local name=$1 want=$2 url=$3 pattern=${4:-}
  shift 4 || shift $#
  local status
  status=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$url" || echo "000")
  if ! [[ "$status" =~ ^($want)$ ]]; then
    echo "FAIL $name: $url gave $status, want $want"; FAILURES=$((FAILURES + 1)); return 0
  fi
  if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$TMP/body" "$TMP/headers"; then
    echo "FAIL $name: $url lacks '$pattern'"; FAILURES=$((FAILURES + 1)); return 0
  fi
  echo "ok   $name"
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}
