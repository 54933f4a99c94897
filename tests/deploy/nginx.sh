#!/usr/bin/env bash
# Debian's nginx, configured by `lexicon deploy nginx`, in front of `lexicon serve`, on loopback ports,
# for a lexicon published under a path prefix (/lexicon/). Checks pages, assets, caching headers, gzip,
# the search page and API through the proxy, and that the index and dotfiles are denied.
# Usage: tests/deploy/nginx.sh path/to/lexicon [source-dir]   (exit 77 = skipped: no nginx or curl)
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then echo "nginx not installed: skipped"; exit 77; fi
command -v curl >/dev/null || { echo "curl not installed: skipped"; exit 77; }
source "$(dirname "$0")/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

build_fixture /lexicon/
# lexicon serve is started with the ExecStart line of the unit `lexicon deploy systemd` prints.
SERVE_PORT=$(free_port)
"$LEXICON" --site "$TMP/site" deploy systemd --user "$(id -un)" --upstream "127.0.0.1:$SERVE_PORT" >"$TMP/lexicon.service"
if command -v systemd-analyze >/dev/null; then systemd-analyze verify "$TMP/lexicon.service"; echo "ok   systemd unit verifies"; fi
EXEC_START=$(sed -n 's/^ExecStart=//p' "$TMP/lexicon.service")
$EXEC_START 2>"$TMP/serve.log" &
PIDS+=($!)
wait_for_port "$SERVE_PORT" "$!" "$TMP/serve.log"
NGINX_PORT=$(free_port)
"$LEXICON" --site "$TMP/site" deploy nginx --listen "127.0.0.1:$NGINX_PORT" --upstream "127.0.0.1:$SERVE_PORT" \
  --server-name localhost >"$TMP/lexicon.conf"

# The generated site block inside a minimal main configuration with private pid, log and temp paths.
mkdir -p "$TMP/nginx/logs"
{
  [ "$(id -u)" -eq 0 ] && echo "user root;"
  cat <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $TMP/nginx/logs/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    include $TMP/lexicon.conf;
}
EOF
} >"$TMP/nginx.conf"
"$NGINX" -t -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx.conf"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_for_port "$NGINX_PORT" "$!" "$TMP/nginx/logs/error.log"
N="http://127.0.0.1:$NGINX_PORT"

check "home page"              200 "$N/lexicon/"                            "Testlexicon"
check "html revalidated"       200 "$N/lexicon/"                            "Cache-Control: no-cache"
check "entry page"             200 "$N/lexicon/begrippen/presentie/"        'href="/lexicon/static/style.css"'
check "directory redirect"     301 "$N/lexicon/begrippen/presentie"         "Location: /lexicon/begrippen/presentie/"
check "stylesheet"             200 "$N/lexicon/static/style.css"            "Content-Type: text/css"
check "asset cached an hour"   200 "$N/lexicon/static/style.css"            "max-age=3600"
check "asset validator"        200 "$N/lexicon/static/style.css"            "ETag:"
check "gzip"                   200 "$N/lexicon/begrippen/presentie/"        "Content-Encoding: gzip" -H "Accept-Encoding: gzip"
check "script"                 200 "$N/lexicon/static/search.js"            "combobox"
check "suggestion list"        200 "$N/lexicon/zoeken/index.json"           '"title":"Presentie"'
check "search page, no query"  200 "$N/lexicon/zoeken/"                     'id="zoekveld-pagina"'
check "search page (proxied)"  200 "$N/lexicon/zoeken/?q=presentie"         'href="/lexicon/begrippen/presentie/"'
check "search page escapes"    200 "$N/lexicon/zoeken/?q=%3Cscript%3Ex"     "&lt;script&gt;x"
check "api search (proxied)"   200 "$N/lexicon/api/search?q=presentie"      '"title":"Presentie"'
check "api suggest (proxied)"  200 "$N/lexicon/api/suggest?q=hulpv"         '"alias":"hulpvrager"'
check "odd query"              200 "$N/lexicon/api/search?q=%22%2A%20AND"   '"total"'
check "index denied"           404 "$N/lexicon/.xapian/iamglass"
check "index denied (encoded)" 404 "$N/lexicon/%2exapian/iamglass"
check "server data denied"     404 "$N/lexicon/.lexicon/site.json"
# nginx itself answers 400 for a path that climbs above the root.
check "traversal"              "400|404"  "$N/lexicon/%2e%2e/%2e%2e/etc/passwd"    "" --path-as-is
check "traversal (raw)"        "400|404"  "$N/lexicon/../../etc/passwd"            "" --path-as-is
check "traversal to the index" 404 "$N/lexicon/begrippen/%2e%2e/.xapian/iamglass" "" --path-as-is
check "missing page"           404 "$N/lexicon/bestaat-niet/"               "Pagina niet gevonden"
check "POST refused"           403 "$N/lexicon/api/search?q=x"              "" -X POST

# The API through nginx is exactly `lexicon search --json`.
curl -s "$N/lexicon/api/search?q=presentie" >"$TMP/api.json"
"$LEXICON" --site "$TMP/site" search --json presentie >"$TMP/cli.json"
if [ "$(tr -d ' \n' <"$TMP/api.json")" = "$(tr -d ' \n' <"$TMP/cli.json")" ]; then
  echo "ok   api equals lexicon search --json"
else
  echo "FAIL api differs from lexicon search --json"; FAILURES=$((FAILURES + 1))
fi
finish
