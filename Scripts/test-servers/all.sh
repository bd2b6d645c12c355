#!/usr/bin/env bash
# Runs start|stop|env|deps for every server script in this folder (sshd.sh, and whatever
# other servers exist), in name order; `stop` runs in reverse order and keeps going on errors.
# Usage: Scripts/test-servers/all.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

verb=${1:-}
case "$verb" in start|stop|env|deps) ;; *) die "usage: $0 start|stop|env|deps" ;; esac

servers=()
while read -r f; do servers+=("$f"); done < <(server_scripts)

if [ "$verb" = stop ]; then
    status=0
    for ((i = ${#servers[@]} - 1; i >= 0; i--)); do bash "${servers[$i]}" stop || status=1; done
    exit $status
fi
for f in "${servers[@]}"; do bash "$f" "$verb"; done
