#!/usr/bin/env bash
# bench/cleaner.sh: log cleaner (compaction) throughput and CPU, Apache Kafka then Tributary.
#
# For each broker in turn (never both at once), on a fresh data dir with 1 cleaner thread and the same dedupe
# buffer: a 1-partition topic with cleanup.policy=compact and small segments, held uncleanable while CompactionLoad
# fills it (1 GB of 1 KiB values, keys drawn from 10% as many keys as records, so ~90% are obsolete); then an
# IncrementalAlterConfigs releases the cleaner and the script waits until the cleaner has logged the cleaning and
# the partition's .log files stopped changing. Measures cleaner MB/s (bytes read / cleaning time, from the
# broker's cleaner log) and broker CPU-s per GB cleaned (/proc/<pid>/stat from release to done). Writes
# results/<timestamp>-cleaner/cleaner.md. See bench/README.md.
#
# Usage: bench/cleaner.sh [--quick] [--lz4] [--only kafka|tributary]
#   --quick  ~100 MB with 8 MiB segments instead of 1 GB with 64 MiB: a smoke test of this script
#   --lz4    a second topic produced with lz4, after the uncompressed one
# Environment (optional): BENCH_JAVA, BENCH_KAFKA_PORT (29092), BENCH_TRIB_PORT (29192), BENCH_CLEANER_RECORDS
#   (1,000,000 / quick 100,000), BENCH_CLEANER_VALUE_BYTES (1024), BENCH_CLEANER_KEY_PCT (10),
#   BENCH_CLEANER_SEGMENT_BYTES (64 MiB / quick 8 MiB), BENCH_CLEANER_DEDUPE_BYTES (128 MiB),
#   BENCH_CLEANER_TIMEOUT_S (900 / quick 300), BENCH_QUIET_WAIT_S (60 / quick 0), BENCH_KEEP_DATA=1.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
. "$bench/lib.sh"

mode=full
only=""
codecs=(none)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --lz4) codecs=(none lz4) ;;
    --only) shift; only="${1:-}"
            [ "$only" = kafka ] || [ "$only" = tributary ] || { echo "cleaner.sh: --only takes kafka or tributary" >&2; exit 2; } ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cleaner.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
TRIB_PORT=${BENCH_TRIB_PORT:-29192}
if [ "$mode" = quick ]; then
  RECORDS=${BENCH_CLEANER_RECORDS:-100000}; SEGMENT_BYTES=${BENCH_CLEANER_SEGMENT_BYTES:-8388608}
  TIMEOUT_S=${BENCH_CLEANER_TIMEOUT_S:-300}; QUIET_WAIT_S=${BENCH_QUIET_WAIT_S:-0}
else
  RECORDS=${BENCH_CLEANER_RECORDS:-1000000}; SEGMENT_BYTES=${BENCH_CLEANER_SEGMENT_BYTES:-67108864}
  TIMEOUT_S=${BENCH_CLEANER_TIMEOUT_S:-900}; QUIET_WAIT_S=${BENCH_QUIET_WAIT_S:-60}
fi
QUIET_BUSY_PCT=${BENCH_QUIET_BUSY_PCT:-15}
VALUE_BYTES=${BENCH_CLEANER_VALUE_BYTES:-1024}
KEYS=$(( RECORDS * ${BENCH_CLEANER_KEY_PCT:-10} / 100 ))
DEDUPE_BYTES=${BENCH_CLEANER_DEDUPE_BYTES:-134217728}
# How often an idle cleaner looks for work. Short, so it starts within a second of being released; the same on
# both brokers.
BACKOFF_MS=1000
# Done = the cleaning is logged and the partition's .log files have not changed for this long (longer than the
# backoff, so a second pass the cleaner starts right after the first is not missed).
SETTLE_S=3
# While producing, no record is old enough to compact (and a dirty ratio cannot exceed 1.0); releasing sets both
# back to values at which the whole closed part of the log is cleanable at once.
HOLD_CONFIGS=(min.compaction.lag.ms=86400000 min.cleanable.dirty.ratio=1.0)
RELEASE_CONFIGS=(min.compaction.lag.ms=0 min.cleanable.dirty.ratio=0.5)
CLEANER_SETTINGS=(log.cleaner.threads=1 "log.cleaner.dedupe.buffer.size=$DEDUPE_BYTES" "log.cleaner.backoff.ms=$BACKOFF_MS")

log() { printf '[cleaner %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

init_java
stamp="$(date +%Y%m%d-%H%M%S)-cleaner"
out="$bench/results/$stamp"
mkdir -p "$out/kafka" "$out/tributary"
CLK_TCK=$(getconf CLK_TCK)
data_base="$(mktemp -d /tmp/trib-cleaner.XXXXXX)"
meta() { printf '%s\t%s\n' "$1" "$2" >> "$out/meta.tsv"; }
meta started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta mode "$mode"
meta host "$(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
meta java "$("$JAVA" -version 2>&1 | sed -n 2p)"
meta workload "$RECORDS records of $VALUE_BYTES-byte values, keys drawn uniformly from $KEYS, 1 partition, segment.bytes=$SEGMENT_BYTES, compression: ${codecs[*]}"
meta "cleaner settings (both brokers)" "${CLEANER_SETTINGS[*]}"
meta units "MB = 10^6 bytes, GB = 10^9 bytes; CPU = whole broker process from release to done"

stop_broker() { stop_broker_process; }
RELEASE_PID=""
cleanup() {
  [ -z "$RELEASE_PID" ] || kill -TERM "$RELEASE_PID" 2>/dev/null || true
  stop_broker
  [ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$data_base"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

note_previous_build() {  # called by ensure_tributary when a rebuild failed and the build of $1 is measured instead
  meta tributary_build "rebuild failed (see tributary/build.log), measured the previous build of $1"
}

harness() {  # class args...
  local cls="$1"; shift
  "$JAVA" -Xmx512M -XX:+UseG1GC "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
    -cp "$classes:$libs/*" "io.tributary.bench.harness.$cls" "$@"
}

start_broker() {  # name data-dir
  local name="$1" data="$2" p port
  port="$(broker_port "$name")"
  for p in "$port" $((port + 1)); do
    port_free "$p" || { REASON="port $p on 127.0.0.1 is already in use"; return 1; }
  done
  rm -rf "$data"; mkdir -p "$data"
  wait_for_quiet_host
  if [ "$name" = kafka ]; then
    write_kafka_config "$data" 1 "${CLEANER_SETTINGS[@]}"
    kafka_format -Xmx512M "${NATIVE_ACCESS[@]}" "-Dlog4j2.configurationFile=$bench/kafka/log4j2-tools.properties" \
      || { REASON="kafka-storage format failed (see kafka/format.log)"; return 1; }
    kafka_server_cmd
  else
    trib_server_cmd "$data" "${CLEANER_SETTINGS[@]}"
  fi
  printf '\n===== %s\n' "${BROKER_CMD[*]}" >> "$out/$name/broker.log"
  if ! launch_broker "$name" "$out/$name/ready.properties"; then
    REASON="broker did not start: $(sed -n 's/^reason=//p' "$out/$name/ready.properties" 2>/dev/null) (see $name/broker.log, $name/launcher.log)"
    return 1
  fi
  log "$name ready (pid $BROKER_PID)"
}

# ---- what the script watches while the cleaner works ----------------------------------------------------------
log_bytes() {  # total size of the partition's live segment files (*.log; Kafka's .cleaned/.swap/.deleted are not)
  find "$1" -path "*/$2-[0-9]*/*" -name '*.log' -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
cleanings_logged() {  # broker topic: Kafka's "cleaned log T-0 (dirty section" and Tributary's "Cleaned log T-0: read"
  grep -sciE "cleaned log $2-[0-9]+( \\(dirty section|: read)" "$out/$1/broker.log" || true
}
# The cleaner threads' names as /proc shows them (cut to 15 characters): Kafka's kafka-log-cleaner-thread-N and
# Tributary's tributary-log-cleaner-N.
cleaner_comm() { if [ "$1" = kafka ]; then echo '^kafka-log-clean'; else echo '^tributary-log-c'; fi; }
cleaner_thread_ticks() {  # broker: CPU of its cleaner threads
  local f task t=0
  for f in $(grep -ls "$(cleaner_comm "$1")" /proc/"$BROKER_PID"/task/*/comm 2>/dev/null); do
    task="${f#/proc/}"; task="${task%/comm}"
    t=$(( t + $(proc_cpu_ticks "$task") ))
  done
  echo "$t"
}
ticks_ms() { echo $(( $1 * 1000 / CLK_TCK )); }

# Produces one topic, releases the cleaner and waits for it. Writes <codec>.* figures to the broker's tsv.
clean_topic() {  # name codec data-dir
  local name="$1" codec="$2" data="$3" topic="cleaner-$2" result="$out/$1.tsv" bs
  bs="127.0.0.1:$(broker_port "$name")"
  put() { printf '%s.%s\t%s\n' "$codec" "$1" "$2" >> "$result"; }
  local hold=() kv
  for kv in "${HOLD_CONFIGS[@]}"; do hold+=(--config "$kv"); done
  if ! harness CreateTopics --bootstrap-server "$bs" --partitions 1 --config cleanup.policy=compact \
       --config "segment.bytes=$SEGMENT_BYTES" "${hold[@]}" "$topic" > "$out/$name/$codec.create.out" 2>&1; then
    put error "topic creation failed: $(grep -m1 -E 'Exception|Error' "$out/$name/$codec.create.out" | cut -c1-300)"; return 0
  fi
  log "$name $codec: producing $RECORDS records"
  if ! harness CompactionLoad --bootstrap-server "$bs" --topic "$topic" --records "$RECORDS" --keys "$KEYS" \
       --value-bytes "$VALUE_BYTES" --compression "$codec" > "$out/$name/$codec.produce.out" 2>&1; then
    put error "producing failed: $(grep -m1 -E 'Exception|Error' "$out/$name/$codec.produce.out" | cut -c1-300)"; return 0
  fi
  log "$name $codec: $(tail -1 "$out/$name/$codec.produce.out")"
  local before early
  before=$(log_bytes "$data" "$topic")
  early=$(cleanings_logged "$name" "$topic")
  put log_bytes_before "$before"
  ls -l "$data/$topic-0" > "$out/$name/$codec.files-before.txt" 2>&1 || true
  [ "$early" = 0 ] || put warning "the cleaner logged $early cleaning(s) of $topic before it was released; the figures include them"

  # The release tool connects first and sends its request when told to, so that its JVM start-up is not
  # inside the measured window.
  local t0 cpu0 thr0 go="$out/$name/$codec.go" release_rc=0
  rm -f "$go"
  harness AlterTopicConfig --bootstrap-server "$bs" --topic "$topic" --go-file "$go" "${RELEASE_CONFIGS[@]}" \
    > "$out/$name/$codec.release.out" 2>&1 &
  RELEASE_PID=$!
  while ! grep -qs '^ready' "$out/$name/$codec.release.out" && kill -0 "$RELEASE_PID" 2>/dev/null; do sleep 0.05; done
  wait_for_quiet_host
  t0=$(date +%s%N); cpu0=$(proc_cpu_ticks "$BROKER_PID"); thr0=$(cleaner_thread_ticks "$name")
  touch "$go"
  wait "$RELEASE_PID" || release_rc=$?
  RELEASE_PID=""
  if [ "$release_rc" != 0 ]; then
    put error "releasing the cleaner failed: $(grep -m1 -E 'Exception|Error' "$out/$name/$codec.release.out" | cut -c1-300)"; return 0
  fi
  log "$name $codec: cleaner released; waiting for it (timeout $TIMEOUT_S s)"

  # Poll twice a second; the end of cleaning is the first sample of the final state (size and cleaning count
  # unchanged since), confirmed once that state has lasted SETTLE_S.
  local deadline=$(( $(date +%s) + TIMEOUT_S )) now size count state last_state="" end_t=0 end_cpu=0 end_thr=0 done=""
  local samples="$out/$name/$codec.samples.tsv"
  printf 'ms_since_release\tbroker_cpu_ticks\tcleaner_thread_ticks\tlog_bytes\tcleanings\n' > "$samples"
  while :; do
    if ! alive "$BROKER_PID"; then put error "broker died while cleaning"; return 1; fi
    now=$(date +%s%N); size=$(log_bytes "$data" "$topic"); count=$(cleanings_logged "$name" "$topic")
    local cpu thr; cpu=$(proc_cpu_ticks "$BROKER_PID"); thr=$(cleaner_thread_ticks "$name")
    printf '%s\t%s\t%s\t%s\t%s\n' $(( (now - t0) / 1000000 )) $(( cpu - cpu0 )) $(( thr - thr0 )) "$size" "$count" >> "$samples"
    state="$size/$count"
    if [ "$state" != "$last_state" ]; then last_state="$state"; end_t=$now; end_cpu=$cpu; end_thr=$thr; fi
    if [ "$count" -gt "$early" ] && [ $(( (now - end_t) / 1000000000 )) -ge "$SETTLE_S" ]; then done=1; break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    sleep 0.5
  done
  put log_bytes_after "$(log_bytes "$data" "$topic")"
  ls -l "$data/$topic-0" > "$out/$name/$codec.files-after.txt" 2>&1 || true
  if [ -z "$done" ]; then
    put error "cleaning not done after $TIMEOUT_S s ($(cleanings_logged "$name" "$topic") cleaning(s) logged; see $name/$codec.samples.tsv)"
    return 0
  fi
  put settled_ms $(( (end_t - t0) / 1000000 ))
  put cpu_ms "$(ticks_ms $(( end_cpu - cpu0 )))"
  [ "$end_thr" = 0 ] || put cleaner_thread_cpu_ms "$(ticks_ms $(( end_thr - thr0 )))"
  local names; names="$(grep -hs "$(cleaner_comm "$name")" /proc/"$BROKER_PID"/task/*/comm 2>/dev/null | sort -u | tr '\n' ' ' || true)"
  [ -z "$names" ] || put cleaner_threads "$names"
  if ! harness CleanerLog "$out/$name/broker.log" "$topic" > "$out/$name/$codec.cleaner-log.tsv" 2> "$out/$name/$codec.cleaner-log.err"; then
    put error "could not read the cleaner's log lines: $(head -c 300 "$out/$name/$codec.cleaner-log.err")"; return 0
  fi
  sed "s/^/$codec./" "$out/$name/$codec.cleaner-log.tsv" >> "$result"
  log "$name $codec: cleaned in $(( (end_t - t0) / 1000000 )) ms after release: $(tr '\n' ' ' < "$out/$name/$codec.cleaner-log.tsv")"
}

run_broker() {
  local name="$1" data="$data_base/$1" codec REASON=""
  log "=== $name"
  if ! start_broker "$name" "$data"; then
    printf 'error\t%s\n' "$REASON" >> "$out/$name.tsv"; log "$name: $REASON"; stop_broker; return 0
  fi
  # A broker whose cleaner is not running would only show up as a timeout after the first topic is produced.
  sleep 1
  if ! grep -qs "$(cleaner_comm "$name")" /proc/"$BROKER_PID"/task/*/comm; then
    printf 'error\tno log cleaner thread (%s) in the running broker\n' "$(cleaner_comm "$name")" >> "$out/$name.tsv"
    log "$name has no log cleaner thread running; skipped"; stop_broker; return 0
  fi
  for codec in "${codecs[@]}"; do
    clean_topic "$name" "$codec" "$data" || break
  done
  stop_broker
  [ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$data"
}

# ---- main --------------------------------------------------------------------------------------------------
log "results in ${out#$home/}, mode $mode, JDK $JAVA"
warn_ephemeral_ports
ensure_kafka_cache
compile_harness
ln -sfn "$stamp" "$bench/results/latest-cleaner"
[ "$only" = tributary ] || run_broker kafka
if [ "$only" != kafka ]; then
  if ! grep -rqs "Cleaned log" "$home/storage/src/main" "$home/broker/src/main"; then
    printf 'error\tthis Tributary has no log cleaner yet (no "Cleaned log" line in storage or broker sources)\n' >> "$out/tributary.tsv"
    log "Tributary has no log cleaner yet; skipped"
  elif ensure_tributary; then
    run_broker tributary
  else
    printf 'error\tTributary did not build (see tributary/build.log)\n' >> "$out/tributary.tsv"
  fi
fi
meta finished "$(date -u +%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -cp "$classes" io.tributary.bench.harness.CleanerReport "$out"
log "report: ${out#$home/}/cleaner.md"
