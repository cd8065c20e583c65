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
# shellcheck source=bench/lib.sh
. "$bench/lib.sh"
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

init_java

stamp="$(date +%Y%m%d-%H%M%S)"
out="$bench/results/$stamp"
mkdir -p "$out/kafka" "$out/tributary"
data_base="$(mktemp -d /tmp/trib-rebalance.XXXXXX)"
printf 'started\t%s\nhost\t%s CPUs, load average at start %s\njava\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$("$JAVA" -version 2>&1 | sed -n 2p)" > "$out/meta.tsv"

stop_broker() { stop_broker_process; }
cleanup() {
  stop_broker
  [ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$data_base"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- builds: the same caches as run.sh (lib.sh) ---------------------------------------------------------------
ensure_kafka_cache
compile_harness
note_previous_build() {  # called by ensure_tributary when a rebuild failed and the build of $1 is measured instead
  printf 'tributary_build\trebuild failed, measured the build of %s\n' "$1" >> "$out/meta.tsv"
}

# ---- brokers: started as run.sh starts them (lib.sh) -----------------------------------------------------------
start_broker() {  # name data-dir
  local name="$1" data="$2"
  rm -rf "$data"; mkdir -p "$data"
  if [ "$name" = kafka ]; then
    write_kafka_config "$data" 1
    kafka_format -Xmx512M "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" || true
    kafka_server_cmd
  else
    trib_server_cmd "$data"
  fi
  launch_broker "$name" "$out/$name/ready.properties" || return 1
  log "$name ready (pid $BROKER_PID)"
}

harness() {  # class args...
  local cls="$1"; shift
  "$JAVA" -Xmx512M -XX:+UseG1GC "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" "io.tributary.bench.harness.$cls" "$@"
}

run_broker() {
  local name="$1" port result="$out/$1.tsv"
  port="$(broker_port "$name")"
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
