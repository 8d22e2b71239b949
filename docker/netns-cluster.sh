#!/usr/bin/env bash
# netns-cluster.sh — the Docker topology as separate hosts on one machine: the coordinator and
# N nodes each in its own network namespace, each with a real IP address in a private /24 that
# exists only inside these namespaces, joined by veth pairs to a Linux bridge (itself in a
# namespace of its own, so nothing is added to the machine's own network), with delay and rate
# per link. Runs the coordinator and the nodes from the shaded jar, waits for the run to finish,
# records the interfaces' byte counters, and tears everything down on exit, Ctrl-C or failure.
#
# Usage (as root, bash >= 5):
#   docker/netns-cluster.sh [options] [-- coordinator flags ...]
#   e.g. docker/netns-cluster.sh --nodes 3 --latency-ms 20 --rate-mbit 10 -- --rounds 30 --eval-every 10
#        docker/netns-cluster.sh --scenario scenarios/low-bandwidth.conf --set budget.rounds=50
#
# Topology and links (one-way delays; each node's access link carries its delay in both
# directions, so a node's round trip to the coordinator is twice it — the convention of the
# scenarios' latency-ms and of the coordinator's virtual clock)
#   --scenario FILE [--set KEY=VALUE ...]
#                             node count and per-node links from a scenario: nodes.initial nodes
#                             of class nodes.class, each with that class's latency-ms (one way),
#                             uplink-mbps (node -> coordinator) and downlink-mbps (coordinator ->
#                             node), resolved by `onebyte links` with the same --set overrides; the
#                             coordinator runs `onebyte coordinator --scenario FILE --set ...`, so
#                             its virtual clock takes latency and bandwidth from the same class
#                             (one bandwidth for both directions: the smaller). Excludes the flags
#                             below that also set nodes or links; run settings go in --set
#                             (--set spsa.samples=8), not after --.
#   --nodes N                 nodes (default 3), all with the link below
#   --latency-ms MS           one-way delay of each node's access link, applied in both
#                             directions: node<->coordinator one-way = MS (RTT 2*MS),
#                             node<->node one-way = 2*MS (default 0)
#   --rate-mbit R             node link rate, both directions (default 0 = unlimited)
#   --up-mbit R / --down-mbit R   node uplink / downlink rate separately
#   --node-class COUNT:LATENCY_MS:UP_MBIT:DOWN_MBIT
#                             repeatable; adds COUNT nodes with that link (replaces --nodes)
#   --coordinator-latency-ms MS, --coordinator-rate-mbit R
#                             shape the coordinator's link too (default: unshaped)
#   --subnet A.B.C            the /24 used inside the namespaces (default 10.77.0):
#                             coordinator A.B.C.1, node i A.B.C.(1+i)
#   --shaper auto|netem|userspace
#                             netem: tc netem on both ends of each veth (needs sch_netem);
#                             userspace: docker/netns-link.c, compiled with cc on the fly, as the
#                             link between each host's veth and the bridge (for kernels without
#                             sch_netem); auto (default): netem when the kernel has it.
#   --capture                 record every frame of every host's link to OUT/capture/<host>.pcap
#                             (through the user-space link, so it implies --shaper userspace);
#                             docker/WireBreakdown.java attributes the bytes
# Run
#   -- FLAGS...               everything after -- goes to `onebyte coordinator` (--rounds,
#                             --samples, --lr, ... see its --help). The script itself passes
#                             --host/--bind-host/--port, --out DIR/run, and either --scenario/--set
#                             or --nodes N plus, with one class of node, --latency-ms and
#                             --bandwidth-mbps (the smaller of the limited rates) so the virtual
#                             clock assumes the links the namespaces really have.
#   --jar FILE                the shaded jar (default coordinator/target/onebyte.jar)
#   --classpath CP            run onebyte.coordinator.cli.OnebyteCommand from CP instead of a jar
#   --out DIR                 output: run/ (metrics.csv, metrics.jsonl), logs/, wire-bytes.tsv,
#                             wire-timeline.tsv, capture/ (default runs/netns-<time>-<pid>)
#   --port P                  Artery port on every host (default 25520)
#   --tls                     Artery over TLS with mutual authentication: `onebyte certs` makes a
#                             CA and key stores in OUT/tls (subjectAltName: the hosts' addresses);
#                             the coordinator gets --tls-dir OUT/tls, node i also
#                             --tls-key-store OUT/tls/node-i.p12
#   --tls-dir DIR             the same with the certificates already in DIR (coordinator.p12,
#                             node-1.p12 ... node-N.p12, truststore.p12, password)
#   --timeout S               give up (and tear down) after S seconds (default 900)
#   --java-opts "OPTS"        JVM options for every process (default: $ONEBYTE_JAVA_OPTS or -Xmx1g)
# Without running anything
#   --print-plan              print the exact ip/tc/netns-link/java commands of this invocation,
#                             one per line, and exit: no root needed, nothing is created. With
#                             --shaper auto the plan is the netem one (what auto picks where the
#                             kernel has sch_netem); --shaper userspace shows the other.
# Network check only (no cluster; with --scenario, `onebyte links` still resolves the links)
#   --check-network           build the topology, measure each node's RTT to the coordinator
#                             (TCP connect to a closed port: SYN out, RST back), tear down
#   --hold S                  with --check-network: keep the topology up S seconds after the
#                             check (for inspection with ip netns exec), then tear down
#
# Namespaces are named obn<pid>-sw (bridge), obn<pid>-c (coordinator), obn<pid>-n<i> (nodes),
# so parallel invocations never collide. Nothing is routed beyond the /24: there is no default
# route, so no traffic leaves these namespaces.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

nodes=3
latency_ms=0
up_mbit=0
down_mbit=0
classes=()
link_flags=()   # flags given that set the nodes or their links (they exclude --scenario)
scenario=""
sets=()
coord_latency_ms=0
coord_mbit=0
subnet=10.77.0
shaper=auto
capture=0
plan=0
coord_args=()
jar="$repo/coordinator/target/onebyte.jar"
classpath=""
out=""
port=25520
timeout_s=900
java_opts="${ONEBYTE_JAVA_OPTS:--Xmx1g}"
check_network=0
hold_s=0
tls=0
tls_dir=""
main_class=onebyte.coordinator.cli.OnebyteCommand

die() { echo "netns-cluster: $*" >&2; exit 2; }
log() { echo "netns-cluster: $*" >&2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }
is_num() { [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$2 must be a non-negative number, got '$1'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || die "--nodes must be an integer"; nodes="$2"; link_flags+=("$1"); shift 2 ;;
    --latency-ms) need_arg "$@"; is_num "$2" "$1"; latency_ms="$2"; link_flags+=("$1"); shift 2 ;;
    --rate-mbit) need_arg "$@"; is_num "$2" "$1"; up_mbit="$2"; down_mbit="$2"; link_flags+=("$1"); shift 2 ;;
    --up-mbit) need_arg "$@"; is_num "$2" "$1"; up_mbit="$2"; link_flags+=("$1"); shift 2 ;;
    --down-mbit) need_arg "$@"; is_num "$2" "$1"; down_mbit="$2"; link_flags+=("$1"); shift 2 ;;
    --node-class) need_arg "$@"
      [[ "$2" =~ ^[0-9]+:[0-9.]+:[0-9.]+:[0-9.]+$ ]] || die "--node-class wants COUNT:LATENCY_MS:UP_MBIT:DOWN_MBIT, got '$2'"
      classes+=("$2"); link_flags+=("$1"); shift 2 ;;
    --scenario) need_arg "$@"; scenario="$2"; shift 2 ;;
    --set) need_arg "$@"; [[ "$2" == *=* ]] || die "--set wants KEY=VALUE, got '$2'"; sets+=("$2"); shift 2 ;;
    --coordinator-latency-ms) need_arg "$@"; is_num "$2" "$1"; coord_latency_ms="$2"; shift 2 ;;
    --coordinator-rate-mbit) need_arg "$@"; is_num "$2" "$1"; coord_mbit="$2"; shift 2 ;;
    --subnet) need_arg "$@"; [[ "$2" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--subnet wants A.B.C"; subnet="$2"; shift 2 ;;
    --shaper) need_arg "$@"; case "$2" in auto|netem|userspace) shaper="$2" ;; *) die "--shaper: auto|netem|userspace" ;; esac; shift 2 ;;
    --capture) capture=1; shift ;;
    --print-plan) plan=1; shift ;;
    --jar) need_arg "$@"; jar="$2"; shift 2 ;;
    --classpath) need_arg "$@"; classpath="$2"; shift 2 ;;
    --out) need_arg "$@"; out="$2"; shift 2 ;;
    --port) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || die "--port must be an integer"; port="$2"; shift 2 ;;
    --timeout) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || die "--timeout must be an integer"; timeout_s="$2"; shift 2 ;;
    --java-opts) need_arg "$@"; java_opts="$2"; shift 2 ;;
    --tls) tls=1; shift ;;
    --tls-dir) need_arg "$@"; tls=1; tls_dir="$2"; shift 2 ;;
    --check-network) check_network=1; shift ;;
    --hold) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || die "--hold must be an integer"; hold_s="$2"; shift 2 ;;
    --) shift; coord_args=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

set_args=()
for kv in "${sets[@]}"; do set_args+=(--set "$kv"); done
if [ -n "$scenario" ]; then
  [ ${#link_flags[@]} -eq 0 ] || die "--scenario sets the nodes and their links; drop ${link_flags[*]} and change the scenario with --set instead (e.g. --set nodes.initial=5 --set nodes.classes.default.latency-ms=20)"
  [ -f "$scenario" ] || die "no scenario file '$scenario'"
  scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"
  # `onebyte coordinator --scenario` takes every run setting from the scenario and silently
  # ignores --rounds, --samples, ...: refuse them here rather than run something else.
  for ((k = 0; k < ${#coord_args[@]}; k++)); do
    case "${coord_args[$k]}" in
      --health-port) k=$((k + 1)) ;;
      --health-port=*) ;;
      *) die "with --scenario the run's settings come from the scenario: '${coord_args[$k]}' after -- would be ignored by 'onebyte coordinator --scenario'; use --set (e.g. --set budget.rounds=30 --set spsa.samples=8)" ;;
    esac
  done
elif [ ${#sets[@]} -gt 0 ]; then
  die "--set overrides a scenario key: it needs --scenario FILE"
fi
if [ "$capture" = 1 ]; then
  [ "$shaper" != netem ] || die "--capture records through the user-space link: use --shaper userspace (or leave --shaper auto)"
  shaper=userspace
fi
[ "$hold_s" = 0 ] || [ "$check_network" = 1 ] || die "--hold needs --check-network"

# ---------------------------------------------------------------- preflight
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"
read -r -a jopts <<<"$java_opts"
if [ -n "$classpath" ]; then launch=(java "${jopts[@]}" -cp "$classpath" "$main_class"); else launch=(java "${jopts[@]}" -jar "$jar"); fi
need_java() {
  command -v java >/dev/null || die "needs java on PATH"
  if [ -z "$classpath" ]; then
    [ -f "$jar" ] || die "no jar at $jar (build it: mvn -B -q -pl coordinator -am package -DskipTests)"
  fi
}
if [ "$plan" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, veth, bridge, tc)"
  command -v ip >/dev/null || die "needs iproute2's ip"
  [ "$check_network" = 1 ] || need_java
fi
[ -z "$scenario" ] || need_java

# host table: index 0 = coordinator, 1..N = nodes
ms_to_us() { awk -v v="$1" 'BEGIN { printf "%d", v * 1000 + 0.5 }'; }
mbit_to_bps() { awk -v v="$1" 'BEGIN { printf "%d", v * 1000000 + 0.5 }'; }
h_name=(coordinator); h_class=(-); h_up_us=("$(ms_to_us "$coord_latency_ms")"); h_down_us=("${h_up_us[0]}")
h_up_bps=("$(mbit_to_bps "$coord_mbit")"); h_down_bps=("${h_up_bps[0]}")
add_nodes() { # COUNT CLASS LATENCY_MS UP_MBIT DOWN_MBIT
  local k
  for ((k = 0; k < $1; k++)); do
    h_name+=("node-$(( ${#h_name[@]} ))"); h_class+=("$2")
    h_up_us+=("$(ms_to_us "$3")"); h_down_us+=("$(ms_to_us "$3")")
    h_up_bps+=("$(mbit_to_bps "$4")"); h_down_bps+=("$(mbit_to_bps "$5")")
  done
}
if [ -n "$scenario" ]; then
  links="$("${launch[@]}" links "$scenario" "${set_args[@]}")" || die "'onebyte links $scenario' failed (its message is above)"
  while read -r li lc ll lu ld; do
    [[ "$li" =~ ^[0-9]+$ && "$ll $lu $ld" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+$ ]] || die "unexpected line from onebyte links: '$li $lc $ll $lu $ld'"
    add_nodes 1 "$lc" "$ll" "$lu" "$ld"
  done <<<"$links"
  log "links from $scenario${sets[*]:+ (--set ${sets[*]})}: $((${#h_name[@]} - 1)) nodes of class ${h_class[1]:-?}"
elif [ ${#classes[@]} -gt 0 ]; then
  for c in "${classes[@]}"; do IFS=: read -r cn cl cu cd <<<"$c"; add_nodes "$cn" "class-$cl-$cu-$cd" "$cl" "$cu" "$cd"; done
else
  add_nodes "$nodes" flags "$latency_ms" "$up_mbit" "$down_mbit"
fi
n_hosts=${#h_name[@]}
[ "$n_hosts" -ge 2 ] || die "no nodes"
[ "$n_hosts" -le 250 ] || die "at most 249 nodes in a /24"

prefix="obn$$"
sw="${prefix}-sw"
h_ns=(); h_ip=()
for ((i = 0; i < n_hosts; i++)); do
  if [ "$i" = 0 ]; then h_ns+=("${prefix}-c"); else h_ns+=("${prefix}-n$i"); fi
  h_ip+=("${subnet}.$((i + 1))")
done

if [ -z "$out" ]; then out="$PWD/runs/netns-$(date +%Y%m%d-%H%M%S)-$$"; fi
if [ "$plan" = 1 ]; then
  out="$(realpath -m "$out")"
  tmpd="/tmp/${prefix}.XXXXXX"
else
  mkdir -p "$out/logs"
  out="$(cd "$out" && pwd)"
  [ "$capture" = 0 ] || mkdir -p "$out/capture"
  tmpd="$(mktemp -d "/tmp/${prefix}.XXXXXX")"
fi

# ---------------------------------------------------------------- commands
# x CMD...: run CMD, or with --print-plan print it (one shell-quoted line) instead.
quote() {
  local a line=""
  for a in "$@"; do
    if [[ -n "$a" && "$a" != *[!A-Za-z0-9_./:=,@%+-]* ]]; then line+="$a "; else line+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${line% }"
}
x() { if [ "$plan" = 1 ]; then quote "$@"; echo; else "$@"; fi; }

# ---------------------------------------------------------------- teardown
created_ns=()   # every namespace this run created, in order
java_pids=()    # coordinator first, then nodes
link_pids=()    # user-space link emulators
coord_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  local p alive deadline
  # Graceful first: SIGTERM makes the JVMs run Akka's coordinated shutdown (leave the cluster).
  for p in "${java_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  deadline=$(( $(date +%s) + 20 ))
  while :; do
    alive=0
    for p in "${java_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] || [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 0.2
  done
  for p in "${java_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  # SIGTERM lets a user-space link print its counters and close its capture file.
  for p in "${link_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${java_pids[@]}" "${link_pids[@]}"; do wait "$p" 2>/dev/null; done
  # Whatever still runs inside our namespaces was started by this script: end it, then delete them.
  local ns left i
  for ((i = ${#created_ns[@]} - 1; i >= 0; i--)); do
    ns="${created_ns[$i]}"
    left="$(ip netns pids "$ns" 2>/dev/null)"
    [ -n "$left" ] && kill -KILL $left 2>/dev/null
    ip netns del "$ns" 2>/dev/null || log "could not delete namespace $ns"
  done
  rm -rf "$tmpd"
  [ "${#created_ns[@]}" -gt 0 ] && log "torn down (${#created_ns[@]} namespaces deleted)"
  exit "$rc"
}
if [ "$plan" = 0 ]; then
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
fi

# ---------------------------------------------------------------- topology
new_ns() {
  x ip netns add "$1"
  [ "$plan" = 1 ] || created_ns+=("$1")
  x ip -n "$1" link set lo up
  # IPv4 only: no IPv6 router/neighbour chatter in the byte counters
  x ip netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null || true
}

if [ "$plan" = 1 ]; then
  echo "# netns-cluster plan: $((n_hosts - 1)) nodes + coordinator on ${subnet}.0/24, output $out"
  for ((i = 0; i < n_hosts; i++)); do
    echo "# $(printf '%-12s %-12s %-16s up %8s us %12s bit/s   down %8s us %12s bit/s' "${h_name[$i]}" "${h_class[$i]}" "${h_ip[$i]}" \
      "${h_up_us[$i]}" "${h_up_bps[$i]}" "${h_down_us[$i]}" "${h_down_bps[$i]}")"
  done
else
  log "prefix $prefix: $((n_hosts - 1)) nodes + coordinator on ${subnet}.0/24, output $out"
fi
new_ns "$sw"
x ip -n "$sw" link add br0 type bridge
x ip -n "$sw" link set br0 up

if [ "$shaper" != userspace ]; then
  if [ "$plan" = 1 ]; then
    [ "$shaper" = netem ] || echo "# shaper auto: netem where 'tc -n $sw qdisc add dev br0 root netem delay 1ms' succeeds (then deleted), else userspace"
    shaper=netem
  elif ! command -v tc >/dev/null; then
    [ "$shaper" = auto ] || die "--shaper netem needs tc (iproute2)"
    shaper=userspace
  elif tc_err="$(tc -n "$sw" qdisc add dev br0 root netem delay 1ms 2>&1)"; then
    tc -n "$sw" qdisc del dev br0 root
    shaper=netem
  elif [ "$shaper" = netem ]; then
    die "--shaper netem: this kernel has no sch_netem: 'tc qdisc add ... netem' answered: ${tc_err//$'\n'/ }; use --shaper userspace (docker/netns-link.c)"
  else
    shaper=userspace
  fi
fi
link_bin="$tmpd/netns-link"
if [ "$shaper" = userspace ]; then
  command -v cc >/dev/null || [ "$plan" = 1 ] || die "the user-space shaper needs a C compiler (cc) to build docker/netns-link.c"
  x cc -O2 -Wall -o "$link_bin" "$here/netns-link.c"
fi
if [ "$plan" = 1 ]; then echo "# shaper: $shaper"; else log "shaper: $shaper"; fi

netem_args() { # DELAY_US RATE_BPS -> tc netem arguments ("" when neither is set)
  local a=()
  [ "$1" -gt 0 ] && a+=(delay "${1}us")
  [ "$2" -gt 0 ] && a+=(rate "${2}bit")
  echo "${a[*]}"
}

for ((i = 0; i < n_hosts; i++)); do
  ns="${h_ns[$i]}"
  new_ns "$ns"
  x ip link add "h$i" netns "$sw" type veth peer name eth0 netns "$ns"
  # One wire frame per skb: no GSO super-frames, so counters and shaping see real frames.
  x ip -n "$ns" link set eth0 gso_max_segs 1
  x ip -n "$sw" link set "h$i" gso_max_segs 1
  x ip -n "$ns" addr add "${h_ip[$i]}/24" dev eth0
  x ip -n "$ns" link set eth0 up
  shaped=0
  if [ "${h_up_us[$i]}" -gt 0 ] || [ "${h_up_bps[$i]}" -gt 0 ] || [ "${h_down_us[$i]}" -gt 0 ] || [ "${h_down_bps[$i]}" -gt 0 ]; then shaped=1; fi
  if [ "$shaper" = userspace ] && { [ "$shaped" = 1 ] || [ "$capture" = 1 ]; }; then
    # host eth0 <-> h$i ==[netns-link]== w$i <-> b$i on the bridge
    x ip -n "$sw" link add "w$i" type veth peer name "b$i"
    x ip -n "$sw" link set "b$i" master br0
    for d in "h$i" "w$i" "b$i"; do x ip -n "$sw" link set "$d" up; done
    link_cmd=(ip netns exec "$sw" "$link_bin")
    [ "$capture" = 0 ] || link_cmd+=(-w "$out/capture/${h_name[$i]}.pcap")
    link_cmd+=("h$i" "w$i" "${h_up_us[$i]}" "${h_up_bps[$i]}" "${h_down_us[$i]}" "${h_down_bps[$i]}")
    if [ "$plan" = 1 ]; then
      echo "$(quote "${link_cmd[@]}") 2>$(quote "$out/logs/link-${h_name[$i]}.log") &"
    else
      "${link_cmd[@]}" 2>"$out/logs/link-${h_name[$i]}.log" &
      link_pids+=("$!")
    fi
  else
    x ip -n "$sw" link set "h$i" master br0
    x ip -n "$sw" link set "h$i" up
    if [ "$shaped" = 1 ]; then
      # netem on the egress of each veth end: eth0 in the host's namespace shapes what the host
      # sends (its uplink), h$i in the bridge's namespace what it receives (its downlink).
      read -r -a up <<<"$(netem_args "${h_up_us[$i]}" "${h_up_bps[$i]}")"
      read -r -a down <<<"$(netem_args "${h_down_us[$i]}" "${h_down_bps[$i]}")"
      if [ ${#up[@]} -gt 0 ]; then x tc -n "$ns" qdisc add dev eth0 root netem "${up[@]}" limit 10000; fi
      if [ ${#down[@]} -gt 0 ]; then x tc -n "$sw" qdisc add dev "h$i" root netem "${down[@]}" limit 10000; fi
    fi
  fi
  [ "$plan" = 1 ] || log "$(printf '%-12s %-16s ns %-12s up %6s us %10s bit/s   down %6s us %10s bit/s' "${h_name[$i]}" "${h_ip[$i]}" \
    "$ns" "${h_up_us[$i]}" "${h_up_bps[$i]}" "${h_down_us[$i]}" "${h_down_bps[$i]}")"
done

# ---------------------------------------------------------------- TLS
tls_flags=()
if [ "$tls" = 1 ] && [ "$check_network" = 0 ]; then
  if [ -z "$tls_dir" ]; then
    tls_dir="$out/tls"
    hosts="$(IFS=,; echo "${h_ip[*]}")"
    if [ "$plan" = 1 ]; then
      echo "$(quote "${launch[@]}" certs --out "$tls_dir" --nodes "$((n_hosts - 1))" --hosts "$hosts")"
    else
      "${launch[@]}" certs --out "$tls_dir" --nodes "$((n_hosts - 1))" --hosts "$hosts" >&2 || die "onebyte certs failed (its message is above)"
    fi
  elif [ "$plan" = 0 ]; then
    for ((i = 1; i < n_hosts; i++)); do
      [ -f "$tls_dir/node-$i.p12" ] || die "--tls-dir $tls_dir has no node-$i.p12 (make them with: onebyte certs --out DIR --nodes $((n_hosts - 1)))"
    done
  fi
  tls_dir="$(realpath -m "$tls_dir")"
  tls_flags=(--tls-dir "$tls_dir")
fi

# ---------------------------------------------------------------- java commands
coord_cmd=(ip netns exec "${h_ns[0]}" "${launch[@]}" coordinator --host "${h_ip[0]}" --bind-host "${h_ip[0]}" --port "$port" --out "$out/run" "${tls_flags[@]}")
if [ -n "$scenario" ]; then
  # the coordinator reads the same scenario with the same overrides as `onebyte links` did
  coord_cmd+=(--scenario "$scenario" "${set_args[@]}")
else
  coord_cmd+=(--nodes "$((n_hosts - 1))")
  if [ ${#classes[@]} -eq 0 ]; then
    # one class of node: the coordinator's virtual clock assumes the links the namespaces have
    # (one bandwidth for both directions: the smaller of the limited ones)
    coord_cmd+=(--latency-ms "$latency_ms")
    bw="$(awk -v u="$up_mbit" -v d="$down_mbit" 'BEGIN { b = (u > 0 && (d <= 0 || u <= d)) ? u : d; if (b > 0) print b }')"
    [ -z "$bw" ] || coord_cmd+=(--bandwidth-mbps "$bw")
  fi
fi
coord_cmd+=("${coord_args[@]}")
node_cmd() { # I -> the node command of host I
  node_c=(ip netns exec "${h_ns[$1]}" "${launch[@]}" node --seed-nodes "${h_ip[0]}:$port" --host "${h_ip[$1]}" \
    --bind-host "${h_ip[$1]}" --port "$port" "${tls_flags[@]}")
  [ ${#tls_flags[@]} -eq 0 ] || node_c+=(--tls-key-store "$tls_dir/node-$1.p12")
}

if [ "$plan" = 1 ]; then
  echo "# every node reaches ${h_ip[0]} (a TCP connect to port 9 is refused), then:"
  if [ "$check_network" = 1 ]; then
    echo "# measure each node's RTT to the coordinator, tear down"
    exit 0
  fi
  echo "$(quote "${coord_cmd[@]}") >$(quote "$out/logs/coordinator.log") 2>&1 &"
  echo "# when ${h_ip[0]}:$port listens:"
  for ((i = 1; i < n_hosts; i++)); do
    node_cmd "$i"
    echo "$(quote "${node_c[@]}") >$(quote "$out/logs/${h_name[$i]}.log") 2>&1 &"
  done
  echo "# wait for the coordinator, SIGTERM the nodes, delete the namespaces in reverse order"
  exit 0
fi

# Every host reaches the coordinator before anything starts (the first ARP exchange, through
# the links). A TCP connect to a closed port is answered by RST: a ping without ping.
tcp_rtt_us() { # NS IP -> microseconds of one connect attempt to port 9 (refused = reached)
  ip netns exec "$1" timeout 5 bash -c '
    s=$(date +%s%N)
    if (exec 3<>"/dev/tcp/$0/9") 2>/dev/null; then :; fi
    e=$(date +%s%N); echo $(( (e - s) / 1000 ))' "$2"
}
for ((i = 1; i < n_hosts; i++)); do
  ok=0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if ip netns exec "${h_ns[$i]}" timeout 3 bash -c '(exec 3<>"/dev/tcp/$0/9") 2>&1 | grep -q refused' "${h_ip[0]}"; then ok=1; break; fi
    sleep 0.2
  done
  [ "$ok" = 1 ] || die "${h_name[$i]} cannot reach the coordinator at ${h_ip[0]}"
done

if [ "$check_network" = 1 ]; then
  for ((i = 1; i < n_hosts; i++)); do
    best=""
    for _ in 1 2 3 4 5; do
      r="$(tcp_rtt_us "${h_ns[$i]}" "${h_ip[0]}")"
      if [ -z "$best" ] || [ "$r" -lt "$best" ]; then best="$r"; fi
    done
    expect=$(( h_up_us[i] + h_down_us[i] + h_up_us[0] + h_down_us[0] ))
    echo "rtt ${h_name[$i]} ${h_ip[$i]} -> coordinator ${h_ip[0]}: $(awk -v v="$best" 'BEGIN{printf "%.1f", v/1000}') ms (configured $(awk -v v="$expect" 'BEGIN{printf "%.1f", v/1000}') ms)"
  done
  echo "network ready"
  if [ "$hold_s" -gt 0 ]; then
    log "holding the topology for ${hold_s} s (ip netns exec ${h_ns[1]} ...)"
    sleep "$hold_s" &
    wait $! || true
  fi
  exit 0
fi

# ---------------------------------------------------------------- counters
# Byte/packet counters of each host's eth0, read from its veth peer h<i> in the bridge's namespace
# (one `ip` call for every host): the host's tx is h<i>'s rx and the other way round. Ethernet
# frames without FCS.
counters_all() { # -> one line per host index: "i rx_bytes tx_bytes rx_packets tx_packets" (the host's view)
  ip -n "$sw" -s -o link show | tr '\\' '\n' | awk '
    /^[0-9]+: / { split($2, n, "[@:]"); dev = n[1] }
    prev ~ /RX:/ { split($0, a, " "); rxb[dev] = a[1]; rxp[dev] = a[2] }
    prev ~ /TX:/ { split($0, a, " "); txb[dev] = a[1]; txp[dev] = a[2] }
    { prev = $0 }
    END { for (d in rxb) if (d ~ /^h[0-9]+$/) print substr(d, 2), txb[d], rxb[d], txp[d], rxp[d] }'
}
wire="$out/wire-bytes.tsv"
timeline="$out/wire-timeline.tsv"
printf 'phase\thost\tip\trx_bytes\ttx_bytes\trx_packets\ttx_packets\n' >"$wire"
printf 't_ms\tepoch_ms\tmetrics_rows\thost\trx_bytes\ttx_bytes\trx_packets\ttx_packets\tadmitted\tsynced\n' >"$timeline"
t0_ms=$(( ${EPOCHREALTIME/[.,]/} / 1000 ))
read_counters() { # fills c_line[i] with "rx_bytes\ttx_bytes\trx_packets\ttx_packets" of host i
  local i rxb txb rxp txp
  c_line=()
  while read -r i rxb txb rxp txp; do c_line[$i]="$rxb"$'\t'"$txb"$'\t'"$rxp"$'\t'"$txp"; done < <(counters_all)
}
sample() { # PHASE
  local i
  read_counters
  for ((i = 0; i < n_hosts; i++)); do
    printf '%s\t%s\t%s\t%s\n' "$1" "${h_name[$i]}" "${h_ip[$i]}" "${c_line[$i]}" >>"$wire"
  done
}
node_logs=()
for ((i = 1; i < n_hosts; i++)); do node_logs+=("$out/logs/${h_name[$i]}.log"); done
tick() { # one line per host: time, rounds written so far, counters, nodes admitted / synced so far
  local i now rows=0 admitted synced before after
  # the time stamp is the middle of the counter read (EPOCHREALTIME: no process, microseconds)
  before="${EPOCHREALTIME/[.,]/}"
  read_counters
  after="${EPOCHREALTIME/[.,]/}"
  now=$(( (before + after) / 2000 ))
  [ -f "$out/run/metrics.csv" ] && rows=$(( $(wc -l <"$out/run/metrics.csv") - 1 ))
  [ "$rows" -lt 0 ] && rows=0
  admitted="$( { grep -l ': admitted from round' "${node_logs[@]}" 2>/dev/null || true; } | wc -l)"
  synced="$( { grep -l ': synced by' "${node_logs[@]}" 2>/dev/null || true; } | wc -l)"
  for ((i = 0; i < n_hosts; i++)); do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(( now - t0_ms ))" "$now" "$rows" "${h_name[$i]}" "${c_line[$i]}" \
      "$admitted" "$synced" >>"$timeline"
  done
}

# ---------------------------------------------------------------- run
sample start
tick
"${coord_cmd[@]}" >"$out/logs/coordinator.log" 2>&1 &
coord_pid=$!
java_pids+=("$coord_pid")
log "coordinator pid $coord_pid at ${h_ip[0]}:$port (log $out/logs/coordinator.log)"

deadline=$(( $(date +%s) + timeout_s ))
# the seed node must listen before the nodes start
until ip netns exec "${h_ns[0]}" timeout 3 bash -c '(exec 3<>"/dev/tcp/$0/$1") 2>/dev/null' "${h_ip[0]}" "$port"; do
  kill -0 "$coord_pid" 2>/dev/null || { wait "$coord_pid" || true; tail -20 "$out/logs/coordinator.log" >&2; die "the coordinator exited before listening"; }
  [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for the coordinator to listen"
  sleep 0.5 &
  wait $!
done
for ((i = 1; i < n_hosts; i++)); do
  node_cmd "$i"
  "${node_c[@]}" >"$out/logs/${h_name[$i]}.log" 2>&1 &
  java_pids+=("$!")
  log "${h_name[$i]} pid $! at ${h_ip[$i]}:$port"
done

while kill -0 "$coord_pid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    sample timeout
    die "timed out after ${timeout_s} s; logs in $out/logs"
  fi
  sleep 0.5 &
  wait $!
  tick
done
coord_rc=0
wait "$coord_pid" || coord_rc=$?
sample end
tick
log "coordinator exited with $coord_rc"
for ((i = 1; i < ${#java_pids[@]}; i++)); do
  kill -0 "${java_pids[$i]}" 2>/dev/null || log "${h_name[$i]} had already exited"
done

run_dir=""
if [ -f "$out/run/metrics.csv" ]; then
  run_dir="$out/run"
  echo "run directory: $run_dir"
else
  log "no $out/run/metrics.csv"
fi
echo "wire bytes: $wire"
awk -F'\t' 'NR > 1 { k = $2; if ($1 == "start") { r0[k] = $4; t0[k] = $5 } if ($1 == "end") { printf "  %-12s rx %12d  tx %12d bytes\n", k, $4 - r0[k], $5 - t0[k] } }' "$wire"
[ "$capture" = 0 ] || echo "captures: $out/capture (frames of each host's link; java docker/WireBreakdown.java $out)"
[ "$coord_rc" = 0 ] || exit "$coord_rc"
[ -n "$run_dir" ] || exit 1
exit 0
