#!/usr/bin/env bash
# bench/run.sh: Tributary and Apache Kafka side by side on this machine, with Kafka's own perf tools.
#
# One run starts each broker in turn (never both at once: they would fight over the cores), times its start,
# puts it through the same workloads with ProducerPerformance / ConsumerPerformance from kafka-tools, samples the
# broker's CPU and memory from /proc, stops it, and finally writes results/<timestamp>/report.md with every
# metric, the ratio Tributary / Kafka and the targets marked met or missed. See bench/README.md.
#
# Usage: bench/run.sh [--quick] [--only kafka|tributary]
#   --quick  small record counts and one start trial: a smoke test of this script (a few minutes)
#   --only   run one broker (the report leaves the other column n/a)
# Environment (all optional): BENCH_JAVA (JDK to run everything on; default: newest JDK >= 17, as bin/trib
#   picks), BENCH_KAFKA_PORT (29092), BENCH_TRIB_PORT (29192), BENCH_RECORDS_100, BENCH_RECORDS_1K,
#   BENCH_LAT_SECONDS, BENCH_LAT_WARMUP_SECONDS, BENCH_LAT_RATE_1K, BENCH_START_TRIALS, BENCH_DATA_DIR,
#   BENCH_KEEP_DATA=1, BENCH_QUIET_WAIT_S (60 full / 0 quick), BENCH_QUIET_BUSY_PCT (15).
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(dirname "$bench")"
KAFKA_VERSION=4.3.1
libs="$bench/.cache/kafka-$KAFKA_VERSION/libs"
classes="$bench/.cache/harness-classes"
PARTITIONS=6

mode=full
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --only) shift; only="${1:-}"
            [ "$only" = kafka ] || [ "$only" = tributary ] || { echo "run.sh: --only takes kafka or tributary" >&2; exit 2; } ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# ---- sizes: full runs take ~10-20 s per produce run on a 2-core box ---------------------------------------------
if [ "$mode" = quick ]; then
  RECORDS_100=${BENCH_RECORDS_100:-100000}; RECORDS_1K=${BENCH_RECORDS_1K:-20000}
  LAT_SECONDS=${BENCH_LAT_SECONDS:-2}; LAT_WARMUP_SECONDS=${BENCH_LAT_WARMUP_SECONDS:-1}
  START_TRIALS=${BENCH_START_TRIALS:-1}; WARMUP_RECORDS=${BENCH_WARMUP_RECORDS:-20000}
else
  RECORDS_100=${BENCH_RECORDS_100:-2500000}; RECORDS_1K=${BENCH_RECORDS_1K:-600000}
  LAT_SECONDS=${BENCH_LAT_SECONDS:-20}; LAT_WARMUP_SECONDS=${BENCH_LAT_WARMUP_SECONDS:-5}
  START_TRIALS=${BENCH_START_TRIALS:-3}; WARMUP_RECORDS=${BENCH_WARMUP_RECORDS:-1000000}
fi
# 1 KiB at 50k records/s is 50 MB/s, more than Kafka sustains on a 2-core box with the client on the same cores,
# so its latency run would only measure queueing. The p99 target is judged on the 100 B workloads at 50k/s.
LAT_RATE_1K=${BENCH_LAT_RATE_1K:-20000}
if [ "$mode" = quick ]; then QUIET_WAIT_S=${BENCH_QUIET_WAIT_S:-0}; else QUIET_WAIT_S=${BENCH_QUIET_WAIT_S:-60}; fi
QUIET_BUSY_PCT=${BENCH_QUIET_BUSY_PCT:-15}
# Below the ephemeral port range (usually 32768-60999), so that no client connection, the readiness probe's
# included, can be holding the port as its source port when the broker binds it.
KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
TRIB_PORT=${BENCH_TRIB_PORT:-29192}

# id | description | record bytes | producer properties | fixed rate (records/s) for the latency run
WORKLOADS=(
  "w100-acks1|100 B, acks=1|100|acks=1|50000"
  "w100-acksall|100 B, acks=all|100|acks=all|50000"
  "w100-lz4|100 B, lz4, acks=1|100|acks=1 compression.type=lz4|50000"
  "w1k-acks1|1 KiB, acks=1|1024|acks=1|$LAT_RATE_1K"
)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- JDK: the same one for both brokers and the tools -------------------------------------------------------
java_version() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_java() {
  local best="" best_v=0 cand v
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
    [ -x "$cand" ] || continue
    v="$(java_version "$cand")"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
  done
  [ -n "$best" ] || { echo "run.sh: no JDK 17 or newer found (set BENCH_JAVA)" >&2; exit 1; }
  echo "$best"
}
JAVA="${BENCH_JAVA:-$(pick_java)}"
JDK_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
JAVA_MAJOR="$(java_version "$JAVA")"; JAVA_MAJOR="${JAVA_MAJOR%%.*}"
# lz4/zstd/snappy load native code; JDK 22+ warns about that on stderr (into the tools' output) unless allowed.
NATIVE_ACCESS=(); if [ "$JAVA_MAJOR" -ge 22 ]; then NATIVE_ACCESS=(--enable-native-access=ALL-UNNAMED); fi

# ---- results and measurements -------------------------------------------------------------------------------
stamp="$(date +%Y%m%d-%H%M%S)"
out="$bench/results/$stamp"
mkdir -p "$out/kafka" "$out/tributary"
ln -sfn "$stamp" "$bench/results/latest"
M="$out/measurements.tsv"
: > "$M"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4//$'\t'/ }" >> "$M"; }
run_started_s=$(date +%s)
CLK_TCK=$(getconf CLK_TCK)
record _ meta started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
record _ meta mode "$mode"
record _ meta clk_tck "$CLK_TCK"
record _ meta kafka_version "$KAFKA_VERSION"
record _ meta java "$("$JAVA" -version 2>&1 | head -2 | tail -1) ($JAVA)"
record _ meta host "$(nproc) CPUs ($(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
for wl in "${WORKLOADS[@]}"; do
  IFS='|' read -r id desc bytes props rate <<< "$wl"
  record _ "workload:$id" description "$desc"
  record _ "workload:$id" record_bytes "$bytes"
  record _ "workload:$id" latency_rate "$rate"
  record _ "workload:$id" producer_props "$props"
done

data_base="${BENCH_DATA_DIR:-$(mktemp -d /tmp/trib-bench.XXXXXX)}"
mkdir -p "$data_base"

# ---- cleanup: whatever happens, no broker outlives the script ----------------------------------------------
BROKER_PID=""
LAUNCHER_PID=""
cleanup() {
  if [ -n "$BROKER_PID" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do alive "$BROKER_PID" || break; sleep 0.1; done
    kill -KILL "$BROKER_PID" 2>/dev/null || true
  fi
  if [ -n "$LAUNCHER_PID" ]; then kill -TERM "$LAUNCHER_PID" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP_DATA:-0}" != 1 ] && [ -z "${BENCH_DATA_DIR:-}" ]; then rm -rf "$data_base"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- /proc sampling -------------------------------------------------------------------------------------------
# A zombie still answers kill -0, so look at the process state.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) [ZX]' "/proc/$1/stat" 2>/dev/null; }
proc_cpu_ticks() {  # utime + stime of one process; fields after "pid (comm) ": state=1 ... utime=12 stime=13
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  rest="${stat##*) }"
  awk '{print $12 + $13}' <<< "$rest"
}
host_ticks() {  # "busy total" over all cores, from the first line of /proc/stat (guest time is inside user)
  awk '/^cpu / {total=$2+$3+$4+$5+$6+$7+$8+$9; print total-$5-$6, total; exit}' /proc/stat
}
child_ticks() {  # CPU of this shell's waited-for children, i.e. of the tool that just ran
  # `times` must run in this shell, not in a $(...) subshell, whose children are not ours; hence the file.
  times > "$out/.times"
  tail -1 "$out/.times" | awk -v hz="$CLK_TCK" '{
    t=0; for (i=1; i<=2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1]*60 + a[2] } printf "%.0f", t*hz }'
}

# On a shared box other people's builds steal the cores the numbers depend on. Before each measured run and each
# start trial, wait (at most QUIET_WAIT_S) until the host, broker excluded, has been below QUIET_BUSY_PCT busy
# for a second.
wait_for_quiet_host() {
  [ "$QUIET_WAIT_S" -gt 0 ] || return 0
  local deadline=$(( $(date +%s) + QUIET_WAIT_S )) h0 h1 b0=0 b1=0 pct waited=0
  while :; do
    h0=$(host_ticks); [ -z "$BROKER_PID" ] || b0=$(proc_cpu_ticks "$BROKER_PID")
    sleep 1
    h1=$(host_ticks); [ -z "$BROKER_PID" ] || b1=$(proc_cpu_ticks "$BROKER_PID")
    pct=$(( ( (${h1% *} - ${h0% *}) - (b1 - b0) ) * 100 / ( ${h1#* } - ${h0#* } + 1 ) ))
    [ "$pct" -lt "$QUIET_BUSY_PCT" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then log "host still ${pct}% busy after ${QUIET_WAIT_S} s; measuring anyway"; break; fi
    [ "$waited" = 1 ] || log "host is ${pct}% busy with other work; waiting up to ${QUIET_WAIT_S} s for it to calm down"
    waited=1
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
in_ephemeral_range() {
  local lo hi
  read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 1
  [ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ]
}

# ---- builds ----------------------------------------------------------------------------------------------------
ensure_kafka_cache() {
  if [ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ] && [ -f "$libs/kafka-tools-$KAFKA_VERSION.jar" ]; then return; fi
  log "fetching Apache Kafka $KAFKA_VERSION jars into ${libs#$home/} (one-off)"
  (cd "$home" && JAVA_HOME="$JDK_HOME" ./mvnw -q -B -f bench/kafka/pom.xml dependency:copy-dependencies)
}

compile_harness() {
  local stamp_file="$classes/.built"
  if [ -f "$stamp_file" ] && [ -z "$(find "$bench/src/main/java/io/tributary/bench/harness" -newer "$stamp_file" -name '*.java')" ]; then
    return
  fi
  log "compiling the harness"
  rm -rf "$classes"; mkdir -p "$classes"
  "$JDK_HOME/bin/javac" --release 17 -nowarn -cp "$libs/kafka-clients-$KAFKA_VERSION.jar" -d "$classes" \
    "$bench"/src/main/java/io/tributary/bench/harness/*.java
  touch "$stamp_file"
}

# Builds Tributary unless the last build is newer than every source and pom it is made of. A failed rebuild
# (someone is mid-edit) falls back to the previous build, and the report says so; no build at all returns 1.
ensure_tributary() {
  local jar="$home/cli/target/tributary-cli.jar" built="$bench/.cache/tributary-built" stale=""
  if [ -f "$jar" ] && [ -d "$home/cli/target/lib" ] && [ -f "$built" ]; then
    stale="$(find "$home"/{storage,metadata,broker,cli}/src/main "$home"/{pom.xml,storage/pom.xml,metadata/pom.xml,broker/pom.xml,cli/pom.xml} \
             -newer "$built" -type f 2>/dev/null | head -1)"
    [ -z "$stale" ] && return 0
  fi
  log "building Tributary (./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package)${stale:+, ${stale#$home/} changed}"
  if (cd "$home" && JAVA_HOME="$JDK_HOME" ./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package) > "$out/tributary/build.log" 2>&1; then
    touch "$built"; return 0
  fi
  [ -f "$jar" ] && [ -d "$home/cli/target/lib" ] || return 1
  record _ meta tributary_build "rebuild failed (see tributary/build.log), measured the previous build of $(date -r "$jar" '+%Y-%m-%d %H:%M')"
  log "Tributary rebuild failed; measuring the previous build from $(date -r "$jar" '+%H:%M')"
}

# ---- brokers -------------------------------------------------------------------------------------------------
KAFKA_JVM_OPTS=(
  # kafka-server-start.sh: KAFKA_HEAP_OPTS default
  -Xmx1G -Xms1G
  # kafka-run-class.sh: KAFKA_JVM_PERFORMANCE_OPTS default
  -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
  -XX:MaxInlineLevel=15 -Djava.awt.headless=true "${NATIVE_ACCESS[@]}"
  # kafka-run-class.sh: KAFKA_JMX_OPTS default (local agent, no port) and GC log (kafka-server-start.sh -loggc)
  -Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false
  "-Xlog:gc*:file=$out/kafka/kafkaServer-gc.log:time,tags:filecount=10,filesize=100M"
  "-Dlog4j2.configurationFile=$bench/kafka/log4j2-broker.properties" "-Dkafka.logs.dir=$out/kafka"
)
# kafka-producer-perf-test.sh / kafka-consumer-perf-test.sh: -Xmx512M plus the kafka-run-class.sh defaults.
TOOL_JVM_OPTS=(
  -Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true "${NATIVE_ACCESS[@]}"
  "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties"
)

# Kafka's config/server.properties for a combined KRaft node, on loopback and with 6 partitions per topic.
write_kafka_config() {  # data dir
  cat > "$out/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$((KAFKA_PORT + 1))
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=$1
num.partitions=$PARTITIONS
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
EOF
}

broker_port() { if [ "$1" = kafka ]; then echo "$KAFKA_PORT"; else echo "$TRIB_PORT"; fi; }

# Starts broker $1 on a fresh data dir $2; sets BROKER_PID and LAUNCHER_PID and records trial $3's times.
# Returns non-zero (with the reason recorded) if it does not become ready.
start_broker() {
  local name="$1" data="$2" trial="$3" port pattern ready_file status cmd=()
  port="$(broker_port "$name")"
  for p in "$port" $((port + 1)); do
    port_free "$p" || { record "$name" broker reason "port $p on 127.0.0.1 is already in use"; return 1; }
  done
  rm -rf "$data"; mkdir -p "$data"
  wait_for_quiet_host
  if [ "$name" = kafka ]; then
    write_kafka_config "$data"
    local cluster_id t0 t1
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    t0=$(date +%s%N)
    if ! "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$libs/*" kafka.tools.StorageTool format --config "$out/kafka/server.properties" \
         --cluster-id "$cluster_id" --standalone >> "$out/kafka/format.log" 2>&1; then
      record "$name" broker reason "kafka-storage format failed (see kafka/format.log)"; return 1
    fi
    t1=$(date +%s%N)
    record "$name" "start:$trial" format_ms $(( (t1 - t0) / 1000000 ))
    cmd=("$JAVA" "${KAFKA_JVM_OPTS[@]}" -cp "$libs/*" kafka.Kafka "$out/kafka/server.properties")
    pattern='Kafka Server started'
  else
    cmd=(env "TRIB_JAVA=$JAVA" "$home/bin/trib" start
         --override "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))"
         --override "log.dirs=$data" --override "num.partitions=$PARTITIONS" --override "group.initial.rebalance.delay.ms=0")
    pattern='^Tributary .* ready on '
  fi
  ready_file="$out/$name/ready-$trial.properties"
  rm -f "$ready_file"
  printf '\n===== start trial %s: %s\n' "$trial" "${cmd[*]}" >> "$out/$name/broker.log"
  "$JAVA" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" io.tributary.bench.harness.Launch --host 127.0.0.1 --port "$port" \
    --log "$out/$name/broker.log" --ready-file "$ready_file" --log-pattern "$pattern" --timeout-s 180 -- "${cmd[@]}" \
    >> "$out/$name/launcher.log" 2>&1 &
  LAUNCHER_PID=$!
  while [ ! -f "$ready_file" ]; do
    if ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
      record "$name" broker reason "launcher died (see $name/launcher.log)"; LAUNCHER_PID=""; return 1
    fi
    sleep 0.1
  done
  status="$(sed -n 's/^status=//p' "$ready_file")"
  BROKER_PID="$(sed -n 's/^pid=//p' "$ready_file")"
  if [ "$status" != ready ]; then
    record "$name" broker reason "$(sed -n 's/^reason=//p' "$ready_file"); log says: $(trial_error "$name" "$trial")"
    wait "$LAUNCHER_PID" 2>/dev/null || true
    BROKER_PID=""; LAUNCHER_PID=""
    return 1
  fi
  record "$name" "start:$trial" ready_ms "$(sed -n 's/^ready_ms=//p' "$ready_file")"
  record "$name" "start:$trial" logline_ms "$(sed -n 's/^logline_ms=//p' "$ready_file")"
  log "$name ready in $(sed -n 's/^ready_ms=//p' "$ready_file") ms (trial $trial/$START_TRIALS, pid $BROKER_PID)"
}

# The first error line this start trial wrote to the broker log (else its last line), for the report.
trial_error() {  # broker trial
  awk -v t="===== start trial $2:" 'index($0, t) == 1 {f = 1; next} f && NF' "$out/$1/broker.log" > "$out/.trial.log"
  { grep -m1 -E 'Exception|Error|ERROR|FATAL' "$out/.trial.log" || tail -1 "$out/.trial.log"; } | cut -c1-300
}

stop_broker() {  # [broker name]: with a name, records how long the clean shutdown took
  [ -n "$BROKER_PID" ] || return 0
  local t0 deadline
  t0=$(date +%s%N); deadline=$(( $(date +%s) + 60 ))
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  while alive "$BROKER_PID" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
  if alive "$BROKER_PID"; then
    log "broker $BROKER_PID still running 60 s after SIGTERM ($(cut -d' ' -f1-3 "/proc/$BROKER_PID/stat" 2>&1)); killing it"
    kill -KILL "$BROKER_PID" 2>/dev/null || true
  elif [ -n "${1:-}" ]; then
    record "$1" broker shutdown_ms $(( ($(date +%s%N) - t0) / 1000000 ))
  fi
  wait "$LAUNCHER_PID" 2>/dev/null || true
  BROKER_PID=""; LAUNCHER_PID=""
}

# Runs one tool against the running broker and records the broker's CPU, the tool's CPU and the host's CPU
# over exactly that run. Usage: measure <broker> <workload> <phase> command...
measure() {
  local name="$1" wl="$2" phase="$3"; shift 3
  local scope="$wl.$phase" file="$out/$name/$wl.$phase.out" rc=0
  local cpu0 cpu1 host0 host1 child0 child1 t0 t1
  wait_for_quiet_host
  child_ticks > "$out/.child0"
  cpu0=$(proc_cpu_ticks "$BROKER_PID"); host0=$(host_ticks); t0=$(date +%s%N)
  "$@" > "$file" 2>&1 < /dev/null || rc=$?
  t1=$(date +%s%N); host1=$(host_ticks); cpu1=$(proc_cpu_ticks "$BROKER_PID")
  child_ticks > "$out/.child1"
  child0=$(cat "$out/.child0"); child1=$(cat "$out/.child1")
  record "$name" "$scope" wall_ms $(( (t1 - t0) / 1000000 ))
  record "$name" "$scope" broker_cpu_ticks $(( cpu1 - cpu0 ))
  record "$name" "$scope" tool_cpu_ticks $(( child1 - child0 ))
  record "$name" "$scope" host_busy_ticks $(( ${host1% *} - ${host0% *} ))
  record "$name" "$scope" host_total_ticks $(( ${host1#* } - ${host0#* } ))
  record "$name" "$scope" exit "$rc"
  log "$name $scope: $(grep -E 'records sent|^[0-9]{4}-' "$file" | tail -1 | cut -c1-160)$([ "$rc" = 0 ] || echo " (exit $rc)")"
  alive "$BROKER_PID"
}

producer() {  # broker workload-line phase
  local name="$1" phase="$3" id desc bytes props rate records extra=()
  IFS='|' read -r id desc bytes props rate <<< "$2"
  if [ "$phase" = produce ]; then
    records=$RECORDS_100; [ "$bytes" -gt 100 ] && records=$RECORDS_1K
    extra=(--throughput -1)
  else
    records=$(( rate * (LAT_SECONDS + LAT_WARMUP_SECONDS) ))
    extra=(--throughput "$rate" --warmup-records $(( rate * LAT_WARMUP_SECONDS )))
  fi
  # shellcheck disable=SC2086 # props is a space-separated list of KEY=VALUE
  measure "$name" "$id" "$phase" "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$libs/*" org.apache.kafka.tools.ProducerPerformance \
    --bootstrap-server "127.0.0.1:$(broker_port "$name")" --topic "bench-$id-$phase" --num-records "$records" \
    --record-size "$bytes" "${extra[@]}" --command-property client.id="bench-$id-$phase" $props
}

consumer() {  # broker workload-line: reads back everything the full-speed run wrote
  local name="$1" id desc bytes props rate records
  IFS='|' read -r id desc bytes props rate <<< "$2"
  records=$RECORDS_100; [ "$bytes" -gt 100 ] && records=$RECORDS_1K
  measure "$name" "$id" consume "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$libs/*" org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server "127.0.0.1:$(broker_port "$name")" --topic "bench-$id-produce" --num-records "$records" \
    --timeout 30000 --group "bench-$id-$stamp" --command-property client.id="bench-$id-consume"
}

run_broker() {
  local name="$1" trial data wl id topics=()
  data="$data_base/$name"
  log "=== $name"
  for trial in $(seq 1 "$START_TRIALS"); do
    if ! start_broker "$name" "$data" "$trial"; then
      record "$name" broker status "failed to start"
      log "$name failed to start: $(grep -P "^$name\tbroker\treason\t" "$M" | tail -1 | cut -f4)"
      return 0
    fi
    if [ "$trial" -lt "$START_TRIALS" ]; then stop_broker; fi
  done
  if [ "$name" = tributary ]; then
    record _ meta tributary_version "$(sed -n 's/^Tributary \(.*\) ready on .*/\1/p' "$out/tributary/broker.log" | tail -1)"
  fi

  topics=(bench-warmup)
  for wl in "${WORKLOADS[@]}"; do
    id="${wl%%|*}"; topics+=("bench-$id-produce" "bench-$id-latency")
  done
  if ! "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$classes:$libs/*" io.tributary.bench.harness.CreateTopics \
       --bootstrap-server "127.0.0.1:$(broker_port "$name")" --partitions "$PARTITIONS" "${topics[@]}" \
       > "$out/$name/create-topics.out" 2>&1; then
    record "$name" broker status "topic creation failed"
    record "$name" broker reason "$(grep -v '^\s*$' "$out/$name/create-topics.out" | grep -m1 -E 'Exception|Error' | cut -c1-300)"
    stop_broker; return 0
  fi

  # Unmeasured warm-up, so JIT compilation of broker and client lands here rather than in whichever workload
  # happens to run first.
  log "$name warm-up: $WARMUP_RECORDS records produced and consumed, not measured"
  "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$libs/*" org.apache.kafka.tools.ProducerPerformance \
    --bootstrap-server "127.0.0.1:$(broker_port "$name")" --topic bench-warmup --num-records "$WARMUP_RECORDS" \
    --record-size 100 --throughput -1 --command-property acks=1 > "$out/$name/warmup.produce.out" 2>&1 < /dev/null || true
  "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$libs/*" org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server "127.0.0.1:$(broker_port "$name")" --topic bench-warmup --num-records "$WARMUP_RECORDS" \
    --timeout 30000 --group "bench-warmup-$stamp" > "$out/$name/warmup.consume.out" 2>&1 < /dev/null || true

  local failed=""
  for wl in "${WORKLOADS[@]}"; do
    producer "$name" "$wl" produce || { failed="broker died during ${wl%%|*}.produce"; break; }
    consumer "$name" "$wl" || { failed="broker died during ${wl%%|*}.consume"; break; }
    producer "$name" "$wl" latency || { failed="broker died during ${wl%%|*}.latency"; break; }
  done

  if alive "$BROKER_PID"; then
    record "$name" broker vmhwm_kb "$(awk '/^VmHWM:/ {print $2}' "/proc/$BROKER_PID/status")"
    record "$name" broker vmrss_kb "$(awk '/^VmRSS:/ {print $2}' "/proc/$BROKER_PID/status")"
    record "$name" broker disk_kb "$(du -sk "$data" | cut -f1)"
  fi
  stop_broker "$name"
  if [ -n "$failed" ]; then
    record "$name" broker status "failed"; record "$name" broker reason "$failed"
  else
    record "$name" broker status ok
  fi
  [ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$data"
}

# ---- main --------------------------------------------------------------------------------------------------
log "results in ${out#$home/}, mode $mode, JDK $JAVA"
for p in "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$TRIB_PORT" $((TRIB_PORT + 1)); do
  if in_ephemeral_range "$p"; then
    log "warning: port $p is in the ephemeral range ($(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-')); a client socket may hold it"
  fi
done
ensure_kafka_cache
compile_harness

if [ "$only" != tributary ]; then
  run_broker kafka
else
  record kafka broker status "not run (--only tributary)"
fi

if [ "$only" != kafka ]; then
  if ensure_tributary; then
    run_broker tributary
  else
    record tributary broker status "build failed"
    record tributary broker reason "$(grep -m1 -E '^\[ERROR\]' "$out/tributary/build.log" | cut -c1-300) (see tributary/build.log)"
    log "Tributary did not build; see ${out#$home/}/tributary/build.log"
  fi
else
  record tributary broker status "not run (--only kafka)"
fi

record _ meta duration_s $(( $(date +%s) - run_started_s ))
"$JAVA" -cp "$classes" io.tributary.bench.harness.BenchReport "$out"
log "report: ${out#$home/}/report.md"
