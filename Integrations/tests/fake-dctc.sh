#!/bin/sh
# A stand-in for dctc in the unit tests: records its arguments, prints an error line on
# standard error and FAKE_DCTC_JSON on standard output, then exits with FAKE_DCTC_EXIT.
# With FAKE_DCTC_SLEEP it waits that long first, exiting 130 on SIGINT as dctc does.
[ -n "$FAKE_DCTC_ARGS" ] && printf '%s\n' "$*" > "$FAKE_DCTC_ARGS"
[ -n "$FAKE_DCTC_ENV" ] && env > "$FAKE_DCTC_ENV"
echo "flow: fake progress line" >&2
echo "dctc: fake: exiting with ${FAKE_DCTC_EXIT:-0} (a remedy)" >&2
if [ -n "$FAKE_DCTC_SLEEP" ]; then
    sleep "$FAKE_DCTC_SLEEP" >/dev/null 2>&1 &
    sleeper=$!
    trap 'kill $sleeper; echo "dctc: interrupted" >&2; exit 130' INT
    [ -n "$FAKE_DCTC_STARTED" ] && : > "$FAKE_DCTC_STARTED"
    wait $sleeper
fi
echo "plain output line"
[ -n "$FAKE_DCTC_JSON" ] && printf '%s\n' "$FAKE_DCTC_JSON"
exit "${FAKE_DCTC_EXIT:-0}"
