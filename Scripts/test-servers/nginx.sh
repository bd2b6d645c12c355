#!/usr/bin/env bash
# nginx for the HTTP/WebDAV tests (recipe: test-servers.md §5). Three views of ONE folder,
# $L/data/http, so a test can seed files through WebDAV and read them over plain HTTP:
#   127.0.0.1:17080  read-only, `autoindex_format json` listings; below /norange/ it ignores
#                    `Range` (max_ranges 0) and always answers 200 with the whole file
#   127.0.0.1:17083  read-only, HTML autoindex listings (nginx's <pre> page)
#   127.0.0.1:17084  WebDAV: PUT DELETE MKCOL COPY MOVE, PROPFIND OPTIONS (dav-ext module)
# No authentication. A folder holding an index.html is served as that page, not as a listing.
# Usage: nginx.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=nginx
PORT_JSON=17080
PORT_HTML=17083
PORT_DAV=17084
NGINX=/usr/sbin/nginx
DAV_EXT=/usr/lib/nginx/modules/ngx_http_dav_ext_module.so
CONF_DIR=$L/nginx
DATA=$L/data/http

write_config() {
    # `user root root` only matters when started as root: the default `nobody` workers could
    # not write the WebDAV root. As another user nginx ignores the line with a warning.
    local user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root root;"
    cat >"$CONF_DIR/nginx.conf" <<CONF
load_module $DAV_EXT;
daemon off;
worker_processes 2;
$user_line
pid $CONF_DIR/nginx.pid;
error_log $L/logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $L/logs/nginx-access.log;
    client_body_temp_path $CONF_DIR/tmp/body;
    proxy_temp_path $CONF_DIR/tmp/proxy;
    fastcgi_temp_path $CONF_DIR/tmp/fastcgi;
    uwsgi_temp_path $CONF_DIR/tmp/uwsgi;
    scgi_temp_path $CONF_DIR/tmp/scgi;
    sendfile on;
    server {
        listen 127.0.0.1:$PORT_JSON;
        root $DATA;
        location / {
            autoindex on;
            autoindex_format json;
            limit_except GET { deny all; }
        }
        # A server that ignores Range and answers 200 with the whole file.
        location /norange/ {
            autoindex on;
            autoindex_format json;
            max_ranges 0;
            limit_except GET { deny all; }
        }
    }
    server {
        listen 127.0.0.1:$PORT_HTML;
        root $DATA;
        location / {
            autoindex on;
            autoindex_exact_size on;
            autoindex_localtime off;
            limit_except GET { deny all; }
        }
    }
    server {
        listen 127.0.0.1:$PORT_DAV;
        root $DATA;
        client_max_body_size 0;
        location / {
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
CONF
}

start() {
    if pid_of $NAME >/dev/null && port_open $PORT_JSON && port_open $PORT_HTML && port_open $PORT_DAV; then
        say "nginx already running on 127.0.0.1:$PORT_JSON/$PORT_HTML/$PORT_DAV (pid $(pid_of $NAME))"
        return 0
    fi
    stop_pid $NAME   # a stale pid file, or a half-started server
    for p in $PORT_JSON $PORT_HTML $PORT_DAV; do
        port_open $p && die "127.0.0.1:$p is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    done
    if [ ! -x "$NGINX" ] || [ ! -f "$DAV_EXT" ]; then
        bash "$SRV_SCRIPTS/install-deps.sh" nginx || die "could not install nginx; run Scripts/test-servers/install-deps.sh"
    fi
    [ -x "$NGINX" ] || die "$NGINX is missing; run Scripts/test-servers/install-deps.sh"
    [ -f "$DAV_EXT" ] || die "$DAV_EXT is missing (package libnginx-mod-http-dav-ext); run Scripts/test-servers/install-deps.sh"
    srv_dirs "$CONF_DIR/tmp" "$DATA"
    write_config
    "$NGINX" -t -q -e stderr -p "$CONF_DIR" -c "$CONF_DIR/nginx.conf" || die "nginx rejected $CONF_DIR/nginx.conf"
    launch $NAME "$NGINX" -e stderr -p "$CONF_DIR" -c "$CONF_DIR/nginx.conf"
    for p in $PORT_JSON $PORT_HTML $PORT_DAV; do wait_port $p $NAME || fail_start $NAME $p; done
    say "nginx running on 127.0.0.1:$PORT_JSON (json), $PORT_HTML (html), $PORT_DAV (webdav) (pid $(pid_of $NAME))"
}

stop() {
    stop_pid $NAME
    rm -f "$CONF_DIR/nginx.pid"
}

env_vars() {
    cat <<VARS
export DCTC_TEST_HTTP_JSON_URL=http://127.0.0.1:$PORT_JSON
export DCTC_TEST_HTTP_HTML_URL=http://127.0.0.1:$PORT_HTML
export DCTC_TEST_WEBDAV_URL=http://127.0.0.1:$PORT_DAV
export DCTC_TEST_HTTP_ROOT=$DATA
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo nginx-light libnginx-mod-http-dav-ext ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
