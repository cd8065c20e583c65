# bench/lib.sh: what run.sh, rebalance.sh and cleaner.sh share (JDK choice, caches and builds, /proc sampling,
# starting and stopping a broker). Sourced, never run: `. "$bench/lib.sh"`.
#
# The script sets bench (this folder) before sourcing, and before calling anything below: out (its result dir, with kafka/ and tributary/ in it), KAFKA_PORT, TRIB_PORT and a log() function.
# The running broker is BROKER_PID (started through LAUNCHER_PID), so each script's trap can stop it.
# Everything a script reports (measurements, metadata) stays in the script: these functions only return status
# and set variables, apart from the hooks named where they are called.

BENCH_SCRIPT="$(basename "$0")"
home="$(dirname "$bench")"
KAFKA_VERSION=4.3.1
libs="$bench/.cache/kafka-$KAFKA_VERSION/libs"
classes="$bench/.cache/harness-classes"
BROKER_PID=""
LAUNCHER_PID=""

# ---- JDK: the same one for both brokers and the tools -------------------------------------------------------
java_version() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_java() {  # the newest JDK >= 17, the choice bin/trib makes
  local best="" best_v=0 cand v
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
    [ -x "$cand" ] || continue
    v="$(java_version "$cand")"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
  done
  [ -n "$best" ] || { echo "$BENCH_SCRIPT: no JDK 17 or newer found (set BENCH_JAVA)" >&2; exit 1; }
  echo "$best"
}
init_java() {  # sets JAVA, JDK_HOME, JAVA_MAJOR and NATIVE_ACCESS
  JAVA="${BENCH_JAVA:-$(pick_java)}"
  JDK_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
  JAVA_MAJOR="$(java_version "$JAVA")"; JAVA_MAJOR="${JAVA_MAJOR%%.*}"
  # lz4/zstd/snappy load native code; JDK 22+ warns about that on stderr (into the tools' output) unless allowed.
  NATIVE_ACCESS=(); if [ "$JAVA_MAJOR" -ge 22 ]; then NATIVE_ACCESS=(--enable-native-access=ALL-UNNAMED); fi
}

# ---- /proc sampling -------------------------------------------------------------------------------------------
# A zombie still answers kill -0, so look at the process state.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) [ZX]' "/proc/$1/stat" 2>/dev/null; }
proc_cpu_ticks() {  # utime + stime of one process (or task); fields after "pid (comm) ": state=1 ... utime=12 stime=13
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  rest="${stat##*) }"
  awk '{print $12 + $13}' <<< "$rest"
}
host_ticks() {  # "busy total" over all cores, from the first line of /proc/stat (guest time is inside user)
  awk '/^cpu / {total=$2+$3+$4+$5+$6+$7+$8+$9; print total-$5-$6, total; exit}' /proc/stat
}

# On a shared box other people's builds steal the cores the numbers depend on. Before each measured run and each
# start trial, wait (at most QUIET_WAIT_S, default 0: don't) until the host, broker excluded, has been below
# QUIET_BUSY_PCT (default 15) busy for a second.
wait_for_quiet_host() {
  local wait_s="${QUIET_WAIT_S:-0}" busy_pct="${QUIET_BUSY_PCT:-15}"
  [ "$wait_s" -gt 0 ] || return 0
  local deadline=$(( $(date +%s) + wait_s )) h0 h1 b0=0 b1=0 pct waited=0
  while :; do
    h0=$(host_ticks); [ -z "$BROKER_PID" ] || b0=$(proc_cpu_ticks "$BROKER_PID")
    sleep 1
    h1=$(host_ticks); [ -z "$BROKER_PID" ] || b1=$(proc_cpu_ticks "$BROKER_PID")
    pct=$(( ( (${h1% *} - ${h0% *}) - (b1 - b0) ) * 100 / ( ${h1#* } - ${h0#* } + 1 ) ))
    [ "$pct" -lt "$busy_pct" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then log "host still ${pct}% busy after ${wait_s} s; measuring anyway"; break; fi
    [ "$waited" = 1 ] || log "host is ${pct}% busy with other work; waiting up to ${wait_s} s for it to calm down"
    waited=1
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
in_ephemeral_range() {
  local lo hi
  read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 1
  [ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ]
}
warn_ephemeral_ports() {  # the brokers' ports (and the controller port after each)
  local p
  for p in "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$TRIB_PORT" $((TRIB_PORT + 1)); do
    if in_ephemeral_range "$p"; then
      log "warning: port $p is in the ephemeral range ($(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range)); a client socket may hold it"
    fi
  done
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
# (someone is mid-edit) falls back to the previous build and calls the script's note_previous_build hook with
# that build's date, so the report can say so; no build at all returns 1.
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
  note_previous_build "$(date -r "$jar" '+%Y-%m-%d %H:%M')"
  log "Tributary rebuild failed; measuring the previous build from $(date -r "$jar" '+%H:%M')"
}

# ---- brokers -------------------------------------------------------------------------------------------------
broker_port() { if [ "$1" = kafka ]; then echo "$KAFKA_PORT"; else echo "$TRIB_PORT"; fi; }

# Kafka's config/server.properties for a combined KRaft node on loopback, written to $out/kafka/server.properties.
# Usage: write_kafka_config DATA_DIR PARTITIONS [key=value...]; the extra properties go at the end.
write_kafka_config() {
  local data="$1" partitions="$2"; shift 2
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
log.dirs=$data
num.partitions=$partitions
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
  if [ $# -gt 0 ]; then printf '%s\n' "$@" >> "$out/kafka/server.properties"; fi
}

# kafka-storage.sh format of the data dir in $out/kafka/server.properties. Usage: kafka_format [JVM option...]
kafka_format() {
  "$JAVA" "$@" -cp "$libs/*" kafka.tools.StorageTool format --config "$out/kafka/server.properties" \
    --cluster-id "$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" --standalone >> "$out/kafka/format.log" 2>&1
}

# Sets BROKER_CMD and BROKER_READY_PATTERN to start Kafka like kafka-server-start.sh does: its default heap, the
# KAFKA_JVM_PERFORMANCE_OPTS of kafka-run-class.sh, then the given JVM options (where kafka-run-class.sh puts its
# JMX and GC-log flags), with $out/kafka/server.properties.
kafka_server_cmd() {
  BROKER_CMD=("$JAVA"
    -Xmx1G -Xms1G
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -XX:MaxInlineLevel=15 -Djava.awt.headless=true "${NATIVE_ACCESS[@]}"
    "$@"
    "-Dlog4j2.configurationFile=$bench/kafka/log4j2-broker.properties" "-Dkafka.logs.dir=$out/kafka"
    -cp "$libs/*" kafka.Kafka "$out/kafka/server.properties")
  BROKER_READY_PATTERN='Kafka Server started'
}

# Sets BROKER_CMD and BROKER_READY_PATTERN to start Tributary with bin/trib (TRIB_JAVA set, so it skips its JDK
# search). Usage: trib_server_cmd DATA_DIR [key=value...]; each extra pair becomes an --override.
trib_server_cmd() {
  local data="$1" kv extra=(); shift
  for kv in "$@"; do extra+=(--override "$kv"); done
  BROKER_CMD=(env "TRIB_JAVA=$JAVA" "$home/bin/trib" start
    --override "listeners=PLAINTEXT://127.0.0.1:$TRIB_PORT,CONTROLLER://127.0.0.1:$((TRIB_PORT + 1))"
    --override "log.dirs=$data" "${extra[@]}" --override "group.initial.rebalance.delay.ms=0")
  BROKER_READY_PATTERN='^Tributary .* ready on '
}

# Starts BROKER_CMD through the Launch harness (which times it and probes it until a client could produce) and
# waits for its verdict in READY_FILE. Usage: launch_broker NAME READY_FILE.
# Returns 0 when ready (BROKER_PID set), 1 when the launcher died without a verdict, 2 when the broker did not
# become ready (the reason is in READY_FILE); in both failure cases BROKER_PID and LAUNCHER_PID are cleared.
launch_broker() {
  local name="$1" ready_file="$2" status
  rm -f "$ready_file"
  "$JAVA" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" io.tributary.bench.harness.Launch --host 127.0.0.1 --port "$(broker_port "$name")" \
    --log "$out/$name/broker.log" --ready-file "$ready_file" --log-pattern "$BROKER_READY_PATTERN" --timeout-s 180 \
    -- "${BROKER_CMD[@]}" >> "$out/$name/launcher.log" 2>&1 &
  LAUNCHER_PID=$!
  while [ ! -f "$ready_file" ]; do
    if ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then LAUNCHER_PID=""; return 1; fi
    sleep 0.1
  done
  status="$(sed -n 's/^status=//p' "$ready_file")"
  BROKER_PID="$(sed -n 's/^pid=//p' "$ready_file")"
  if [ "$status" != ready ]; then
    wait "$LAUNCHER_PID" 2>/dev/null || true
    BROKER_PID=""; LAUNCHER_PID=""
    return 2
  fi
}

# SIGTERM, then SIGKILL if the broker is still there after 60 s. Sets BROKER_SHUTDOWN_MS to how long the clean
# shutdown took (empty when it had to be killed or nothing was running).
stop_broker_process() {
  BROKER_SHUTDOWN_MS=""
  [ -n "$BROKER_PID" ] || return 0
  local t0 deadline
  t0=$(date +%s%N); deadline=$(( $(date +%s) + 60 ))
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  while alive "$BROKER_PID" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
  if alive "$BROKER_PID"; then
    log "broker $BROKER_PID still running 60 s after SIGTERM ($(cut -d' ' -f1-3 "/proc/$BROKER_PID/stat" 2>&1)); killing it"
    kill -KILL "$BROKER_PID" 2>/dev/null || true
  else
    BROKER_SHUTDOWN_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  fi
  [ -z "$LAUNCHER_PID" ] || wait "$LAUNCHER_PID" 2>/dev/null || true
  BROKER_PID=""; LAUNCHER_PID=""
}
