#!/bin/sh
# A local party as a network host of its own: a network namespace with one veth to the shared bridge and
# an address leased from the bridge's private /16. Used by providers/local/{create,delete}.yml and
# setup_auth.yml; every command is idempotent, so a retried stage finds what an earlier attempt made.
#
#   netns.sh up <job id> <party index> [<deployment id>]
#                                               prints "<namespace> <address>"; the lease records the deployment
#   netns.sh down <job id> <party index>        kills what runs in the namespace, removes it, its veth, its lease
#   netns.sh firewall <job id> <party index> <port> <peer address>...
#                                               inside the namespace: <port> admits only the peers
#   netns.sh probe                              exit 0 when namespaces, veths and bridges can be made here
#   netns.sh list                               "<job id> <party index> <address>[ <deployment id>]" of every
#                                               lease (for a sweep: it removes only its own deployment's)
#
# Addressing: bridge qsbr0 holds 10.213.0.1/16 (no NAT, no default route: parties reach each other and
# nothing else). Slot s (2..65534) is the address 10.213.<s/256>.<s%256>; its lease is a file created
# with O_EXCL (set -C), so concurrent jobs never get the same slot, and it holds "<job> <party>[ <deployment>]", so a
# retry of the same party finds its own lease again. Interface names are made from the slot (at most
# 15 characters): host side qsh<hex slot>, inside the namespace eth0.
set -eu
BRIDGE=qsbr0
PREFIX=10.213
NET=$PREFIX.0.0/16
GATEWAY=$PREFIX.0.1
STATE=${QS_NETNS_STATE:-/run/queryshield/netns}
LEASES=$STATE/leases

ns_name() { echo "qs-$1-p$2"; }
slot_addr() { echo "$PREFIX.$(( $1 / 256 )).$(( $1 % 256 ))"; }
host_if() { printf 'qsh%x\n' "$1"; }

# The lease of <job> <party>, if it has one: prints its slot.
find_lease() {
  for f in "$LEASES"/*; do
    [ -f "$f" ] || continue
    j=; p=; read -r j p _ < "$f" 2>/dev/null || true
    if [ "$j $p" = "$1 $2" ]; then basename "$f"; return 0; fi
  done
  return 1
}

# Routes of this machine (other than the bridge's own) whose prefix overlaps $NET.
overlapping_routes() {
  ip -4 route show table all | grep -v "dev $BRIDGE" | awk -v pfx="$PREFIX" '
    function ip2n(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
    BEGIN { split(pfx, q, "."); net = ip2n(q[1] "." q[2] ".0.0") }
    $1 == "local" || $1 == "broadcast" { $1 = $2 }
    $1 ~ /^[0-9.]+(\/[0-9]+)?$/ {
      n = split($1, a, "/"); len = (n == 2 ? a[2] : 32); if (len == 0) next
      m = (len < 16 ? len : 16); div = 2 ^ (32 - m)
      if (int(ip2n(a[1]) / div) == int(net / div)) print $1
    }'
}

# The bridge, made once for all jobs (under a lock, so concurrent first jobs do not race). Refuses a /16
# that some other interface or route of this machine already uses.
ensure_bridge() {
  mkdir -p "$LEASES"
  if ip link show "$BRIDGE" >/dev/null 2>&1 && ip -4 addr show dev "$BRIDGE" | grep -q "inet $GATEWAY/16"; then
    ip link set "$BRIDGE" up
    return 0
  fi
  exec 9>"$STATE/bridge.lock"
  flock 9
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    clash=$(overlapping_routes)
    if [ -n "$clash" ]; then echo "netns: $NET collides with a route of this machine: $clash" >&2; exit 3; fi
    ip link add "$BRIDGE" type bridge
  fi
  ip -4 addr show dev "$BRIDGE" | grep -q "inet $GATEWAY/16" || ip addr add "$GATEWAY/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  flock -u 9
}

up() {
  job=$1; party=$2; dep=${3:-}; ns=$(ns_name "$job" "$party")
  case "$dep" in *[!a-z0-9_-]*) echo "netns: bad deployment id" >&2; exit 2 ;; esac
  ensure_bridge
  # Two attempts for the same party (a killed worker's orphan and its retry) take turns, so one lease each.
  mkdir -p "$STATE/locks"
  exec 8>"$STATE/locks/$ns"
  flock 8
  slot=$(find_lease "$job" "$party" || true)
  if [ -z "$slot" ]; then
    # Start at a slot derived from the job and party, so concurrent jobs rarely try the same one first.
    start=$(printf '%s %s' "$job" "$party" | cksum | awk '{print $1 % 65533}')
    tries=0
    while [ $tries -lt 65533 ]; do
      s=$(( (start + tries) % 65533 + 2 ))
      if (set -C; printf '%s %s%s\n' "$job" "$party" "${dep:+ $dep}" > "$LEASES/$s") 2>/dev/null; then slot=$s; break; fi
      tries=$((tries + 1))
    done
    [ -n "$slot" ] || { echo "netns: no free address left in $NET" >&2; exit 4; }
  fi
  addr=$(slot_addr "$slot"); hif=$(host_if "$slot")
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  ip -n "$ns" link set lo up
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    # A half-made pair from a killed attempt: remove it and make it again.
    ip link del "$hif" 2>/dev/null || true
    ip link add "$hif" type veth peer name "qsp$(printf '%x' "$slot")"
    ip link set "qsp$(printf '%x' "$slot")" netns "$ns"
    ip -n "$ns" link set "qsp$(printf '%x' "$slot")" name eth0
  fi
  ip link set "$hif" master "$BRIDGE" 2>/dev/null || true
  ip link set "$hif" up
  ip -n "$ns" addr show dev eth0 | grep -q "inet $addr/16" || ip -n "$ns" addr add "$addr/16" dev eth0
  ip -n "$ns" link set eth0 up
  echo "$ns $addr"
}

down() {
  job=$1; party=$2; ns=$(ns_name "$job" "$party")
  if [ -e "/run/netns/$ns" ]; then
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill -9 $pids 2>/dev/null || true
      n=0; while [ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    fi
    ip netns del "$ns" 2>/dev/null || true   # removes eth0, and with it its host-side peer
  fi
  slot=$(find_lease "$job" "$party" || true)
  if [ -n "$slot" ]; then
    ip link del "$(host_if "$slot")" 2>/dev/null || true
    rm -f "$LEASES/$slot"
  fi
  rm -f "$STATE/locks/$ns"
}

firewall() {
  job=$1; party=$2; port=$3; shift 3; ns=$(ns_name "$job" "$party")
  command -v nft >/dev/null 2>&1 || { echo "netns: nft not installed, no per-peer rule" >&2; return 0; }
  peers=$(echo "$@" | tr ' ' ',')
  # One table of our own, replaced whole: the engine port from the job's other parties only.
  ip netns exec "$ns" nft -f - <<EOF
table inet queryshield
delete table inet queryshield
table inet queryshield {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport $port ip saddr { $peers } accept
    tcp dport $port drop
  }
}
EOF
}

probe() {
  p="qs-probe-$$"
  ip netns add "$p" 2>/dev/null || exit 1
  ok=0
  ip -n "$p" link add qsprobe0 type veth peer name qsprobe1 2>/dev/null && ip -n "$p" link add qsprobebr type bridge 2>/dev/null && ok=1
  ip netns del "$p" 2>/dev/null || true
  [ $ok = 1 ]
}

list() {
  for f in "$LEASES"/*; do
    [ -f "$f" ] || continue
    dep=; read -r job party dep < "$f" || continue
    echo "$job $party $(slot_addr "$(basename "$f")")${dep:+ $dep}"
  done
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  up) up "$@" ;;
  down) down "$@" ;;
  firewall) firewall "$@" ;;
  probe) probe ;;
  list) list ;;
  *) echo "usage: netns.sh up|down|firewall|probe|list ..." >&2; exit 2 ;;
esac
