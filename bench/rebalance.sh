#!/usr/bin/env bash
# bench/rebalance.sh: consumer-group rebalance time and end-to-end latency, Apache Kafka then Tributary.
#
# For each broker in turn (never both at once), on a fresh data dir: RebalanceBench rebalance (3 trials per
# protocol: classic with cooperative-sticky, consumer protocol with the uniform server assignor; time from a 4th
# member's subscribe() until 48 partitions are spread over 4 members and all 4 consume again) and
# RebalanceBench latency (10,000 records/s of 100 B, acks=1, linger.ms=0, 15 s after a 10 s warm-up; receive
# time minus send time). Writes results/<timestamp>/rebalance.md. See bench/README.md.
#
# Usage: bench/rebalance.sh [--only kafka|tributary]
# Environment (optional): BENCH_JAVA, BENCH_KAFKA_PORT (29092), BENCH_TRIB_PORT (29192), BENCH_REBALANCE_TRIALS (3),
#   BENCH_LAT_SECONDS (15),
#   BENCH_LAT_WARMUP_SECONDS (10), BENCH_LAT_RATE (10000), BENCH_KEEP_DATA=1.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(dirname "$bench")"
KAFKA_VERSION=4.3.1
libs="$bench/.cache/kafka-$KAFKA_VERSION/libs"
classes="$bench/.cache/harness-classes"
KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
TRIB_PORT=${BENCH_TRIB_PORT:-29192}
TRIALS=${BENCH_REBALANCE_TRIALS:-3}
LAT_SECONDS=${BENCH_LAT_SECONDS:-15}
LAT_RATE=${BENCH_LAT_RATE:-10000}
# Long enough for C2 to finish compiling the client paths: with 3 s the compiler thread still took a core
# during the measured window of a fresh harness JVM on 2 cores.
LAT_WARMUP_SECONDS=${BENCH_LAT_WARMUP_SECONDS:-10}

only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) shift; only="${1:-}"
            [ "$only" = kafka ] || [ "$only" = tributary ] || { echo "rebalance.sh: --only takes kafka or tributary" >&2; exit 2; } ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rebalance.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[rebalance %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

java_version() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_java() {  # the newest JDK >= 17, as run.sh and bin/trib pick
  local best="" best_v=0 cand v
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
    [ -x "$cand" ] || continue
    v="$(java_version "$cand")"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
  done
  [ -n "$best" ] || { echo "rebalance.sh: no JDK 17 or newer found (set BENCH_JAVA)" >&2; exit 1; }
  echo "$best"
}
JAVA="${BENCH_JAVA:-$(pick_java)}"
JDK_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
NATIVE_ACCESS=(); if [ "$(java_version "$JAVA" | cut -d. -f1)" -ge 22 ]; then NATIVE_ACCESS=(--enable-native-access=ALL-UNNAMED); fi

stamp="$(date +%Y%m%d-%H%M%S)"
out="$bench/results/$stamp"
mkdir -p "$out/kafka" "$out/tributary"
data_base="$(mktemp -d /tmp/trib-rebalance.XXXXXX)"
printf 'started\t%s\nhost\t%s CPUs, load average at start %s\njava\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$("$JAVA" -version 2>&1 | sed -n 2p)" > "$out/meta.tsv"

BROKER_PID=""; LAUNCHER_PID=""
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) [ZX]' "/proc/$1/stat" 2>/dev/null; }
stop_broker() {
  [ -n "$BROKER_PID" ] || return 0
  local deadline=$(( $(date +%s) + 60 ))
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  while alive "$BROKER_PID" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
  alive "$BROKER_PID" && kill -KILL "$BROKER_PID" 2>/dev/null || true
  [ -z "$LAUNCHER_PID" ] || wait "$LAUNCHER_PID" 2>/dev/null || true
  BROKER_PID=""; LAUNCHER_PID=""
}
cleanup() {
  stop_broker
  [ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$data_base"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- builds: the same caches as run.sh --------------------------------------------------------------------------
if [ ! -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
  log "fetching Apache Kafka $KAFKA_VERSION jars into ${libs#$home/} (one-off)"
  (cd "$home" && JAVA_HOME="$JDK_HOME" ./mvnw -q -B -f bench/kafka/pom.xml dependency:copy-dependencies)
fi
if [ ! -f "$classes/.built" ] || [ -n "$(find "$bench/src/main/java/io/tributary/bench/harness" -newer "$classes/.built" -name '*.java')" ]; then
  log "compiling the harness"
  rm -rf "$classes"; mkdir -p "$classes"
  "$JDK_HOME/bin/javac" --release 17 -nowarn -cp "$libs/kafka-clients-$KAFKA_VERSION.jar" -d "$classes" \
    "$bench"/src/main/java/io/tributary/bench/harness/*.java
  touch "$classes/.built"
fi
ensure_tributary() {  # like run.sh: rebuild when a source or pom is newer than the last build
  local jar="$home/cli/target/tributary-cli.jar" built="$bench/.cache/tributary-built"
  if [ -f "$jar" ] && [ -f "$built" ] && [ -z "$(find "$home"/{storage,metadata,broker,cli}/src/main "$home"/{,storage/,metadata/,broker/,cli/}pom.xml -newer "$built" -type f 2>/dev/null | head -1)" ]; then
    return 0
  fi
  log "building Tributary"
  if (cd "$home" && JAVA_HOME="$JDK_HOME" ./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package) > "$out/tributary/build.log" 2>&1; then
    touch "$built"; return 0
  fi
  [ -f "$jar" ] || return 1
  log "Tributary rebuild failed; measuring the previous build from $(date -r "$jar" '+%H:%M')"
  printf 'tributary_build\trebuild failed, measured the build of %s\n' "$(date -r "$jar" '+%Y-%m-%d %H:%M')" >> "$out/meta.tsv"
}

# ---- brokers: started as run.sh starts them ---------------------------------------------------------------------
write_kafka_config() {  # data dir; Kafka's KRaft config/server.properties on loopback, as in run.sh
  cat > "$out/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$((KAFKA_PORT + 1))
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
num.network.threads=3
num.io.threads=8
log.dirs=$1
num.partitions=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
}

start_broker() {  # name data-dir
  local name="$1" data="$2" port pattern ready cmd=()
  if [ "$name" = kafka ]; then port=$KAFKA_PORT; else port=$TRIB_PORT; fi
  rm -rf "$data"; mkdir -p "$data"
  if [ "$name" = kafka ]; then
    write_kafka_config "$data"
    "$JAVA" -Xmx512M "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" -cp "$libs/*" \
      kafka.tools.StorageTool format --config "$out/kafka/server.properties" \
      --cluster-id "$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" --standalone >> "$out/kafka/format.log" 2>&1
    cmd=("$JAVA" -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
         -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true "${NATIVE_ACCESS[@]}"
         "-Dlog4j2.configurationFile=$bench/kafka/log4j2-broker.properties" "-Dkafka.logs.dir=$out/kafka"
         -cp "$libs/*" kafka.Kafka "$out/kafka/server.properties")
    pattern='Kafka Server started'
  else
    cmd=(env "TRIB_JAVA=$JAVA" "$home/bin/trib" start
         --override "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))"
         --override "log.dirs=$data" --override "group.initial.rebalance.delay.ms=0")
    pattern='^Tributary .* ready on '
  fi
  ready="$out/$name/ready.properties"
  "$JAVA" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" io.tributary.bench.harness.Launch --host 127.0.0.1 --port "$port" \
    --log "$out/$name/broker.log" --ready-file "$ready" --log-pattern "$pattern" --timeout-s 180 -- "${cmd[@]}" \
    >> "$out/$name/launcher.log" 2>&1 &
  LAUNCHER_PID=$!
  while [ ! -f "$ready" ]; do
    kill -0 "$LAUNCHER_PID" 2>/dev/null || { LAUNCHER_PID=""; return 1; }
    sleep 0.1
  done
  BROKER_PID="$(sed -n 's/^pid=//p' "$ready")"
  [ "$(sed -n 's/^status=//p' "$ready")" = ready ] || { wait "$LAUNCHER_PID" 2>/dev/null || true; BROKER_PID=""; LAUNCHER_PID=""; return 1; }
  log "$name ready (pid $BROKER_PID)"
}

harness() {  # class args...
  local cls="$1"; shift
  "$JAVA" -Xmx512M -XX:+UseG1GC "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" "io.tributary.bench.harness.$cls" "$@"
}

run_broker() {
  local name="$1" port result="$out/$1.tsv"
  if [ "$name" = kafka ]; then port=$KAFKA_PORT; else port=$TRIB_PORT; fi
  log "=== $name"
  if ! start_broker "$name" "$data_base/$name"; then
    printf 'error\tbroker did not start (see %s/launcher.log)\n' "$name" >> "$result"; return 0
  fi
  local bs="127.0.0.1:$port"
  if harness CreateTopics --bootstrap-server "$bs" --partitions 48 rebalance > "$out/$name/bench.out" 2>&1 \
     && harness CreateTopics --bootstrap-server "$bs" --partitions 6 latency >> "$out/$name/bench.out" 2>&1; then
    log "$name rebalance: $TRIALS trials per protocol"
    harness RebalanceBench rebalance --bootstrap-server "$bs" --topic rebalance --partitions 48 --rate 2000 \
      --trials "$TRIALS" --out "$result" 2>&1 | tee -a "$out/$name/bench.out" >&2 \
      || printf 'error\trebalance run failed (see %s/bench.out)\n' "$name" >> "$result"
    log "$name latency: $LAT_RATE records/s for $LAT_SECONDS s after $LAT_WARMUP_SECONDS s warm-up"
    harness RebalanceBench latency --bootstrap-server "$bs" --topic latency --partitions 6 --rate "$LAT_RATE" \
      --seconds "$LAT_SECONDS" --warmup-seconds "$LAT_WARMUP_SECONDS" --out "$result" 2>&1 | tee -a "$out/$name/bench.out" >&2 \
      || printf 'error\tlatency run failed (see %s/bench.out)\n' "$name" >> "$result"
  else
    printf 'error\ttopic creation failed (see %s/bench.out)\n' "$name" >> "$result"
  fi
  stop_broker
}

log "results in ${out#$home/}, JDK $JAVA"
[ "$only" = tributary ] || run_broker kafka
if [ "$only" != kafka ]; then
  if ensure_tributary; then run_broker tributary
  else printf 'error\tTributary did not build (see tributary/build.log)\n' >> "$out/tributary.tsv"; fi
fi
printf 'finished\t%s, load average %s\n' "$(date -u +%H:%M:%SZ)" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta.tsv"
"$JAVA" -cp "$classes" io.tributary.bench.harness.RebalanceReport "$out"
log "report: ${out#$home/}/rebalance.md"
