# The inference probe's client pod (busybox sh): COUNT GETs of URL with Host: HOST and an optional
# HEADER line; writes {"counts":{"<body>":n,"status:<code>":n}} to the termination message.
# With WARMUP=1 it first waits (up to 60 s) until one request is answered, as routes take a moment
# to be programmed.
set -u
set --
[ -n "${HEADER:-}" ] && set -- --header "$HEADER"
if [ "${WARMUP:-0}" = 1 ]; then
  n=0
  until wget -q -T 5 -O /dev/null --header "Host: $HOST" "$@" "$URL" 2>/dev/null || [ $n -ge 60 ]; do
    n=$((n + 1)); sleep 1
  done
fi
: >/tmp/answers
i=0
while [ "$i" -lt "$COUNT" ]; do
  i=$((i + 1))
  if body=$(wget -q -T 10 -O - --header "Host: $HOST" "$@" "$URL" 2>/tmp/err); then
    echo "$body" | tr -d ' \r\n"\\' >>/tmp/answers
    echo >>/tmp/answers
  else
    code=$(sed -n 's/.*HTTP\/1\.[01] \([0-9][0-9][0-9]\).*/\1/p' /tmp/err | head -1)
    echo "status:${code:-none}" >>/tmp/answers
  fi
done
sort /tmp/answers | uniq -c |
  awk 'BEGIN { printf "{\"counts\":{" } { if (NR > 1) printf ","; printf "\"%s\":%d", $2, $1 } END { print "}}" }' \
    >/dev/termination-log
