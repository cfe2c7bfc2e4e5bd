#!/usr/bin/env bash
# `nginx -t` on deploy/nginx.conf as the compose stack mounts it (conf.d/default.conf inside the
# image's http block), with no Docker: the upstream's compose host name `web` is pointed at
# 127.0.0.1, since nginx resolves it while checking, and the paths nginx writes go to a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/conf.d" "$dir/logs"
sed 's/server web:8000;/server 127.0.0.1:8000;/' deploy/nginx.conf > "$dir/conf.d/default.conf"
cat > "$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $dir;
    include $dir/conf.d/*.conf;
}
CONF
nginx -q -t -p "$dir" -c "$dir/nginx.conf"
echo "nginx -t: ok"
