#!/usr/bin/env bash
# Scale-out: a search server holding a replica of the index, kept current with Xapian replication
# (xapian-replicate-server on the build machine, xapian-replicate on the search machine; Debian's
# xapian-tools). `lexicon serve --index REPLICA` answers from the replica, including spelling
# correction, and picks up a rebuilt lexicon after the next replication without a restart.
# Usage: tests/deploy/replication.sh path/to/lexicon [source-dir]   (exit 77 = skipped)
for tool in xapian-replicate-server xapian-replicate curl; do
  command -v "$tool" >/dev/null || { echo "$tool not installed: skipped"; exit 77; }
done
source "$(dirname "$0")/lib.sh"

build_fixture /
# The master: serves every database under the site directory; the index is ".xapian" in there.
# It opens the path per connection, so it always offers the generation that is currently swapped in.
REPL_PORT=$(free_port)
# In its own session: on SIGTERM it signals its whole process group, which would include this script.
setsid xapian-replicate-server -I 127.0.0.1 -p "$REPL_PORT" "$TMP/site" >"$TMP/replicate-server.log" 2>&1 &
PIDS+=($!)
wait_for_port "$REPL_PORT" "$!" "$TMP/replicate-server.log"
replicate() { xapian-replicate -h 127.0.0.1 -p "$REPL_PORT" -m .xapian -o -q "$TMP/replica"; }
replicate
test -e "$TMP/replica" || { echo "FAIL no replica written"; exit 1; }

# A search server on the replica (pages could come from any static host or CDN).
start_serve --index "$TMP/replica"
S="http://127.0.0.1:$SERVE_PORT"
check "search on the replica"      200 "$S/api/search?q=presentie"  '"title":"Presentie"'
check "spelling on the replica"    200 "$S/api/search?q=presnetie"  '"corrected":"presentie"'
check "new entry not there yet"    200 "$S/api/search?q=wolkenkrabber" '"total":0'

# The editors rebuild on the master; the replica follows; the running server sees it.
cat >"$TMP/content/begrippen/wolkenkrabber.md" <<'EOF'
---
title: Wolkenkrabber
themes: [praktijk]
summary: Een begrip dat na de herbouw bestaat.
related: [presentie]
---
Een wolkenkrabber naast [[presentie]].
EOF
"$LEXICON" --content "$TMP/content" --templates "$SOURCE_DIR/templates" --site "$TMP/site" --jobs 2 build
check "replica unchanged before replication" 200 "$S/api/search?q=wolkenkrabber" '"total":0'
replicate
check "replica current after replication"    200 "$S/api/search?q=wolkenkrabber" '"title":"Wolkenkrabber"'
check "old entries still found"              200 "$S/api/search?q=presentie"     '"title":"Presentie"'
finish
