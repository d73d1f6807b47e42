#!/usr/bin/env bash
# A real Neo4j 5 Community server (5.26 LTS) for development and tests, from Maven Central only.
#
# Route: the server entry point on a classpath built by Maven (no tarball, no Docker).
#   - The tarball (org.neo4j.assembly:neo4j-community:<v>:tar.gz:unix) is NOT on Maven Central.
#   - scripts/neo4j/pom.xml depends on org.neo4j:neo4j:5.26.30 (the Community DBMS, incl. Bolt).
#     `mvn dependency:copy-dependencies` copies its runtime closure (~210 jars, ~125 MB) into
#     .cache/neo4j/dist-<version>-<pom hash>/lib/ on first use; later starts only use that cache
#     (no Maven, no network).
#   - The initial password is set with the admin tool on that classpath
#     (org.neo4j.cli.AdminTool dbms set-initial-password), then the server runs as
#     java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --home-dir=... --config-dir=...
# Needs: Java 17+ (`java`, or $JAVA_HOME/bin/java), and Maven (`mvn`) for the first fetch.
#
# Each start is a fresh, empty store under .cache/neo4j/run/ (conf, data, logs, settings), or under
# $NEO4J_DEV_RUN_DIR for a second, independent server: Bolt on 127.0.0.1 and a free port, HTTP/HTTPS
# off, auth on, a new random password for `neo4j`. `restart` keeps the store, password and port.
# Usage: eval "$(scripts/neo4j.sh start)"; ...; scripts/neo4j.sh stop      (see --help)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
POM="$SCRIPT_DIR/neo4j/pom.xml"
CACHE_DIR="$REPO_ROOT/.cache/neo4j"   # the jars; shared by every run directory
DEFAULT_RUN_DIR="$CACHE_DIR/run"
FETCH_LOCK="$CACHE_DIR/.lock"         # guards the jar cache
MARKER=.neo4j-dev-run                 # marks a run directory this script made (and may wipe)
# Set by set_run_dir: the server's state folder and the files in it.
RUN_DIR='' ENV_FILE='' SAVED_ENV_FILE='' PID_FILE='' RUN_LOCK=''

HEAP=${NEO4J_DEV_HEAP:-512m}
HEAP_INITIAL=${NEO4J_DEV_HEAP_INITIAL:-256m}
PAGECACHE=${NEO4J_DEV_PAGECACHE:-256m}
START_TIMEOUT=${NEO4J_DEV_START_TIMEOUT:-120}
STOP_TIMEOUT=${NEO4J_DEV_STOP_TIMEOUT:-60}
FIXED_PORT=${NEO4J_DEV_BOLT_PORT:-}
# extra JVM options for the server, split on whitespace
read -r -a EXTRA_JAVA_OPTS <<<"${NEO4J_DEV_JAVA_OPTS:-}"

MAIN_CLASS=org.neo4j.server.CommunityEntryPoint

usage() {
  cat <<'EOF'
Usage: scripts/neo4j.sh COMMAND

A Neo4j 5 Community server for development and tests. Its jars come from Maven Central
(via Maven, scripts/neo4j/pom.xml) and are cached in .cache/neo4j/; state is in .cache/neo4j/run/,
or in $NEO4J_DEV_RUN_DIR (see below). Every command acts on the server of that run directory.

Commands:
  start    Fetch the jars if needed, start a fresh server (empty store, new random password) on
           127.0.0.1 and a free Bolt port, wait until Bolt answers, and print on stdout:
             export NEO4J_URI=bolt://127.0.0.1:PORT
             export NEO4J_USER=neo4j
             export NEO4J_PASSWORD=...
             export NEO4J_DATABASE=neo4j
           If a server started by this script is running, print its settings again.
           Use: eval "$(scripts/neo4j.sh start)"
  restart  Stop the server (if it runs) and start it again on the same store, KEEPING its data,
           password and Bolt port (a new free port if that one was taken meanwhile, or
           NEO4J_DEV_BOLT_PORT if set); print the export lines as `start` does. Works after `stop`
           too; fails (exit 1) if the run directory has no store from an earlier `start`.
  stop     Stop that server (SIGTERM, SIGKILL after NEO4J_DEV_STOP_TIMEOUT s); quiet if none runs.
           The store and its settings stay for `restart`; the next `start` wipes them.
  status   Say whether it runs and on which port (exit 0 running, 3 not running).
  env      Print the export lines of the running server (exit 3 if none runs).
  fetch    Only fetch and cache the jars (CI warm-up).
  --help   This text.

Environment (optional):
  NEO4J_DEV_HEAP           max heap (default 512m)    NEO4J_DEV_HEAP_INITIAL  initial heap (256m)
  NEO4J_DEV_PAGECACHE      page cache (default 256m)  NEO4J_DEV_BOLT_PORT     fixed Bolt port
  NEO4J_DEV_START_TIMEOUT  seconds (default 120)      NEO4J_DEV_STOP_TIMEOUT  seconds (default 60)
  NEO4J_DEV_JAVA_OPTS      extra JVM options for the server (whitespace-separated)
  NEO4J_DEV_RUN_DIR        the server's state folder (conf, data, logs, env, pid, lock) instead of
                           .cache/neo4j/run, so a second, independent server can run beside the
                           main one, e.g. for fault tests; the jar cache stays shared. `start` wipes
                           it, so it must be missing, empty, or made by this script.
  JAVA_HOME                Java 17+ to use (else `java` on PATH)
Progress and errors go to stderr; logs are in RUN_DIR/logs/.
EOF
}

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The run directory: .cache/neo4j/run, or $NEO4J_DEV_RUN_DIR made absolute (relative to the current
# directory) and canonical, so the same folder always gives the same pid check and lock.
set_run_dir() {
  local dir=${NEO4J_DEV_RUN_DIR:-}
  if [[ -z $dir ]]; then
    RUN_DIR=$DEFAULT_RUN_DIR
  else
    [[ $dir == /* ]] || dir="$PWD/$dir"
    if command -v realpath >/dev/null 2>&1; then
      dir=$(realpath -m -- "$dir") || die "cannot resolve NEO4J_DEV_RUN_DIR=$NEO4J_DEV_RUN_DIR"
    fi
    while [[ $dir == */ && $dir != / ]]; do dir=${dir%/}; done
    case $dir in
      / | "$REPO_ROOT" | "$CACHE_DIR" | "${HOME:-/}" | "$CACHE_DIR"/dist-*)
        die "NEO4J_DEV_RUN_DIR=$NEO4J_DEV_RUN_DIR cannot be used as a run directory" ;;
    esac
    [[ $dir != *[[:space:]]* ]] || die "NEO4J_DEV_RUN_DIR must not contain whitespace: $dir"
    RUN_DIR=$dir
  fi
  ENV_FILE="$RUN_DIR/env"              # the export lines while the server runs, mode 600
  SAVED_ENV_FILE="$RUN_DIR/restart.env" # the same lines, kept after stop for restart, mode 600
  PID_FILE="$RUN_DIR/server.pid"
  if [[ $RUN_DIR == "$DEFAULT_RUN_DIR" ]]; then
    RUN_LOCK="$CACHE_DIR/.run.lock"
  else
    RUN_LOCK="$(dirname -- "$RUN_DIR")/.$(basename -- "$RUN_DIR").neo4j.lock"  # beside it: start wipes the folder
  fi
}

# Refuse to wipe a folder that this script did not make (NEO4J_DEV_RUN_DIR pointing somewhere wrong).
check_wipeable() {
  [[ $RUN_DIR != "$DEFAULT_RUN_DIR" && -e $RUN_DIR ]] || return 0
  [[ -d $RUN_DIR && ! -L $RUN_DIR ]] || die "NEO4J_DEV_RUN_DIR=$RUN_DIR exists and is not a folder"
  [[ -e $RUN_DIR/$MARKER || -z $(ls -A -- "$RUN_DIR") ]] ||
    die "refusing to wipe NEO4J_DEV_RUN_DIR=$RUN_DIR: it is not empty and was not made by this script"
}

neo4j_version() {
  local v
  v=$(sed -n 's:.*<neo4j\.version>\(.*\)</neo4j\.version>.*:\1:p' "$POM")
  v=${v%%$'\n'*}
  [[ -n $v ]] || die "no <neo4j.version> in $POM"
  printf '%s\n' "$v"
}

dist_dir() {
  local hash version
  version=$(neo4j_version)
  hash=$(sha256sum "$POM")
  printf '%s/dist-%s-%s\n' "$CACHE_DIR" "$version" "${hash:0:12}"
}

# The per-server lock (fd 9): one start/restart/stop at a time for a run directory.
take_lock() {
  mkdir -p -- "$(dirname -- "$RUN_LOCK")"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RUN_LOCK"
    flock -w 600 9 || die "could not lock $RUN_LOCK (another neo4j.sh still running?)"
  fi
}

# The jar-cache lock (fd 8), shared by all run directories; held only while fetching.
take_fetch_lock() {
  mkdir -p "$CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$FETCH_LOCK"
    flock -w 900 8 || die "could not lock $FETCH_LOCK (another neo4j.sh still fetching?)"
  fi
}

release_fetch_lock() {
  exec 8>&-
}

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (Java 17 or newer is needed)"
  fi
}

check_java() {
  local java=$1 line major
  line=$("$java" -version 2>&1) || die "'$java -version' failed"
  line=${line%%$'\n'*}
  major=$(sed -n 's/.*version "\([0-9]*\).*/\1/p' <<<"$line")
  [[ $major =~ ^[0-9]+$ ]] || die "cannot read the Java version from: $line"
  ((major >= 17)) || die "Java $major found ($java); Neo4j 5.26 needs Java 17 or 21"
}

# Fetch the classpath with Maven into the cache (once per pom.xml content).
fetch() {
  local dist tmp version
  dist=$(dist_dir)
  version=$(neo4j_version)
  if [[ -f $dist/.complete ]]; then
    return 0
  fi
  take_fetch_lock
  if [[ -f $dist/.complete ]]; then  # fetched by another neo4j.sh meanwhile
    release_fetch_lock
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; it is needed once to fetch Neo4j $version from Maven Central"
  tmp="$dist.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/lib"
  log "fetching Neo4j $version (org.neo4j:neo4j and its runtime dependencies) with Maven; first use only ..."
  local start=$SECONDS
  # Maven 3.8 prints colour resets even when quiet and told not to colour: strip them (pipefail keeps
  # Maven's exit status)
  if ! mvn -B -q -ntp -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp/lib" 2>&1 | sed $'s/\e\\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "Maven could not fetch Neo4j $version (see the output above)"
  fi
  [[ -f $tmp/lib/neo4j-$version.jar ]] || { rm -rf "$tmp"; die "neo4j-$version.jar missing after the fetch"; }
  touch "$tmp/.complete"
  rm -rf "$dist"
  mv "$tmp" "$dist"
  log "cached $(find "$dist/lib" -name '*.jar' | wc -l) jars in ${dist#"$REPO_ROOT"/} ($((SECONDS - start)) s)"
  release_fetch_lock
}

# The pid of the server started by this script, if it is still running.
running_pid() {
  local pid args
  [[ -f $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  # guard against a reused pid: it must be our server with our run directory
  if [[ -r /proc/$pid/cmdline ]]; then
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  else
    args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
  fi
  [[ $args == *"$MAIN_CLASS"* && "$args " == *" --home-dir=$RUN_DIR "* ]] || return 1
  printf '%s\n' "$pid"
}

# True while the process exists and is not a zombie (a dead child not yet reaped).
alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r /proc/$1/stat ]]; then
    stat=$(<"/proc/$1/stat") || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
  fi
}

port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# A free TCP port below the usual ephemeral range (32768+), so outgoing connections don't take it.
pick_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + (RANDOM % 12000)))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free port found in 20000-31999"
}

# True when a Bolt server answers the handshake on the port (proposes Bolt 5.0-5.8 and 4.4).
bolt_answers() {
  local reply
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  reply=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
    head -c 4 <&3 | od -An -tx1
  ' _ "$1" 2>/dev/null) || return 1
  reply=${reply//[[:space:]]/}
  [[ ${#reply} -eq 8 && $reply != 00000000 ]]
}

random_password() {
  local hex
  hex=$(head -c 24 /dev/urandom | od -An -tx1)
  hex=${hex//[[:space:]]/}
  [[ ${#hex} -eq 48 ]] || die "could not generate a password"
  printf '%s\n' "$hex"
}

write_conf() {
  local port=$1
  cat >"$RUN_DIR/conf/neo4j.conf" <<EOF
# Written by scripts/neo4j.sh; rewritten on every start and restart.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$port
server.bolt.advertised_address=127.0.0.1:$port
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.pagecache.size=$PAGECACHE
server.directories.data=$RUN_DIR/data
server.directories.logs=$RUN_DIR/logs
server.directories.run=$RUN_DIR/run
server.directories.import=$RUN_DIR/import
server.directories.plugins=$RUN_DIR/plugins
# stop in ~1 s instead of ~11 s (Bolt's netty shutdown quiet period, default 5 s, applies twice)
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
EOF
}

print_tail() {
  local f shown=
  for f in "$RUN_DIR/logs/console.log" "$RUN_DIR/logs/neo4j.log"; do
    if [[ -s $f ]]; then
      printf -- '--- last lines of %s ---\n' "${f#"$REPO_ROOT"/}" >&2
      tail -n 40 "$f" >&2
      shown=1
    fi
  done
  if [[ -s $RUN_DIR/logs/debug.log ]]; then
    printf -- '--- errors in %s ---\n' "${RUN_DIR#"$REPO_ROOT"/}/logs/debug.log" >&2
    grep -E ' (ERROR|WARN) ' "$RUN_DIR/logs/debug.log" | tail -n 20 >&2 || true
    shown=1
  fi
  [[ -n $shown ]] || log "(no log output yet in ${RUN_DIR#"$REPO_ROOT"/}/logs)"
}

kill_pid() {
  local pid=$1 timeout=$2 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + timeout))
  while alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if alive "$pid"; then
    log "pid $pid did not stop within ${timeout} s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
}

STARTING_PID=
abort_start() {
  if [[ -n $STARTING_PID ]]; then
    kill_pid "$STARTING_PID" 10
    wait "$STARTING_PID" 2>/dev/null || true
    rm -f "$PID_FILE" "$ENV_FILE"
  fi
}

# Byte sizes of the log files before a launch, so only what that launch wrote is searched
# (restart keeps the logs of earlier runs; console.log is rewritten by each launch).
declare -A LOG_MARK=()
mark_logs() {
  local f
  LOG_MARK=()
  for f in "$RUN_DIR"/logs/*.log; do
    [[ -f $f && $f != */console.log ]] && LOG_MARK[$f]=$(wc -c <"$f")
  done
  return 0
}
new_logs_contain() {
  local f
  for f in "$RUN_DIR"/logs/*.log; do
    [[ -f $f ]] || continue
    tail -c +"$((${LOG_MARK[$f]:-0} + 1))" "$f" | grep -qs -- "$1" && return 0
  done
  return 1
}

# Run the server on the conf in $RUN_DIR (Bolt on $3) and wait until Bolt answers.
# Returns 0 when ready, 2 when the port was taken meanwhile (the caller may retry on another port);
# dies on any other failure, with the log tail on stderr.
launch_and_wait() {
  local java=$1 dist=$2 port=$3 t0=$4 rc
  mark_logs
  log "starting Neo4j $(neo4j_version) on bolt://127.0.0.1:$port (heap $HEAP, page cache $PAGECACHE) ..."
  (
    cd "$RUN_DIR"
    exec setsid "$java" \
      "-Xms$HEAP_INITIAL" "-Xmx$HEAP" \
      -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError \
      -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC \
      -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
      -Djdk.tls.ephemeralDHKeySize=2048 -Djdk.tls.rejectClientInitiatedRenegotiation=true \
      --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
      --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
      -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
      ${EXTRA_JAVA_OPTS[@]+"${EXTRA_JAVA_OPTS[@]}"} \
      -cp "$dist/lib/*" "$MAIN_CLASS" --home-dir="$RUN_DIR" --config-dir="$RUN_DIR/conf"
  ) </dev/null >"$RUN_DIR/logs/console.log" 2>&1 8>&- 9>&- &
  STARTING_PID=$!
  printf '%s\n' "$STARTING_PID" >"$PID_FILE"

  rc=1
  while ((SECONDS - t0 < START_TIMEOUT)); do
    if ! alive "$STARTING_PID"; then
      rc=2
      break
    fi
    if bolt_answers "$port"; then
      rc=0
      break
    fi
    sleep 0.5
  done
  if ((rc == 0)); then
    return 0
  elif ((rc == 2)); then
    wait "$STARTING_PID" 2>/dev/null || true
    STARTING_PID=
    if [[ -z $FIXED_PORT ]] && new_logs_contain 'Address already in use'; then
      log "port $port was taken meanwhile; trying another one"
      return 2
    fi
    print_tail
    die "Neo4j exited during startup"
  fi
  print_tail
  die "Bolt did not answer on 127.0.0.1:$port within $START_TIMEOUT s; server stopped"
}

# Write the export lines (env: while running; restart.env: kept for restart) and report readiness.
finish_start() {
  local port=$1 password=$2 t0=$3 f
  for f in "$ENV_FILE" "$SAVED_ENV_FILE"; do
    (
      umask 077
      printf 'export NEO4J_URI=bolt://127.0.0.1:%s\nexport NEO4J_USER=neo4j\nexport NEO4J_PASSWORD=%s\nexport NEO4J_DATABASE=neo4j\n' \
        "$port" "$password" >"$f"
    )
    chmod 600 "$f"
  done
  # the JVM's own pid file, should setsid ever have forked
  if [[ -s $RUN_DIR/run/neo4j.pid && $(<"$RUN_DIR/run/neo4j.pid") =~ ^[0-9]+$ ]]; then
    cp "$RUN_DIR/run/neo4j.pid" "$PID_FILE"
  fi
  STARTING_PID=
  trap - EXIT INT TERM HUP
  log "ready in $((SECONDS - t0)) s (pid $(<"$PID_FILE"), logs in ${RUN_DIR#"$REPO_ROOT"/}/logs)"
  cat "$ENV_FILE"
}

set_start_traps() {
  trap abort_start EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
}

cmd_start() {
  local pid java dist port password attempt rc t0
  check_wipeable  # before the lock file is made beside a folder that is not ours
  take_lock
  if pid=$(running_pid) && [[ -s $ENV_FILE ]]; then
    log "already running (pid $pid); its settings:"
    cat "$ENV_FILE"
    return 0
  fi
  if [[ -n ${pid:-} ]]; then
    log "a server (pid $pid) runs without its settings file; stopping it"
    kill_pid "$pid" "$STOP_TIMEOUT"
  fi
  check_wipeable
  java=$(java_bin)
  check_java "$java"
  fetch
  dist=$(dist_dir)

  set_start_traps
  t0=$SECONDS
  password=$(random_password)
  for attempt in 1 2 3; do
    ((attempt == 1)) || log "attempt $attempt"
    rm -rf "$RUN_DIR"
    mkdir -p "$(dirname -- "$RUN_DIR")"
    mkdir -m 700 "$RUN_DIR"
    : >"$RUN_DIR/$MARKER"
    mkdir -p "$RUN_DIR"/{conf,data,logs,run,import,plugins}
    if [[ -n $FIXED_PORT ]]; then
      port=$FIXED_PORT
      ! port_in_use "$port" || die "NEO4J_DEV_BOLT_PORT=$port is in use"
    else
      port=$(pick_port)
    fi
    write_conf "$port"

    # the password goes in through a picocli @file, so it never shows in `ps`
    (umask 077 && printf '%s\n' "$password" >"$RUN_DIR/.initial-password")
    if ! NEO4J_HOME="$RUN_DIR" NEO4J_CONF="$RUN_DIR/conf" \
        "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$dist/lib/*" \
        org.neo4j.cli.AdminTool dbms set-initial-password "@$RUN_DIR/.initial-password" \
        >"$RUN_DIR/logs/admin.log" 2>&1 </dev/null 8>&- 9>&-; then
      cat "$RUN_DIR/logs/admin.log" >&2
      die "setting the initial password failed"
    fi
    rm -f "$RUN_DIR/.initial-password"

    rc=0
    launch_and_wait "$java" "$dist" "$port" "$t0" || rc=$?
    ((rc == 2)) || break
  done
  ((rc == 0)) || { print_tail; die "Neo4j did not start"; }
  finish_start "$port" "$password" "$t0"
}

# Stop the server of this run directory (if it runs) and start it on the same store, password and port.
cmd_restart() {
  local pid java dist port password saved attempt rc t0
  take_lock
  saved=$SAVED_ENV_FILE
  [[ -s $saved ]] || saved=$ENV_FILE  # a server started by an older neo4j.sh
  if [[ ! -d $RUN_DIR/data || ! -s $RUN_DIR/conf/neo4j.conf || ! -s $saved ]]; then
    die "nothing to restart in ${RUN_DIR#"$REPO_ROOT"/} (no store or settings from an earlier start); use: scripts/neo4j.sh start"
  fi
  password=$(sed -n 's/^export NEO4J_PASSWORD=\([0-9a-f]*\)$/\1/p' "$saved")
  port=$(sed -n 's|^export NEO4J_URI=bolt://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$saved")
  [[ -n $password && -n $port ]] || die "cannot read the settings in $saved; use: scripts/neo4j.sh start"
  if pid=$(running_pid); then
    log "stopping Neo4j (pid $pid) ..."
    kill_pid "$pid" "$STOP_TIMEOUT"
  fi
  rm -f "$PID_FILE" "$ENV_FILE"
  java=$(java_bin)
  check_java "$java"
  fetch
  dist=$(dist_dir)

  set_start_traps
  t0=$SECONDS
  [[ -e $RUN_DIR/$MARKER ]] || : >"$RUN_DIR/$MARKER"
  mkdir -p "$RUN_DIR"/{conf,data,logs,run,import,plugins}
  for attempt in 1 2 3; do
    ((attempt == 1)) || log "attempt $attempt"
    if [[ -n $FIXED_PORT ]]; then
      port=$FIXED_PORT
      ! port_in_use "$port" || die "NEO4J_DEV_BOLT_PORT=$port is in use"
    elif port_in_use "$port"; then
      local old=$port
      port=$(pick_port)
      log "port $old is taken now; using $port"
    fi
    write_conf "$port"
    rc=0
    launch_and_wait "$java" "$dist" "$port" "$t0" || rc=$?
    ((rc == 2)) || break
    port=$(pick_port)
  done
  ((rc == 0)) || { print_tail; die "Neo4j did not start"; }
  finish_start "$port" "$password" "$t0"
}

cmd_stop() {
  local pid
  take_lock
  if pid=$(running_pid); then
    log "stopping Neo4j (pid $pid) ..."
    kill_pid "$pid" "$STOP_TIMEOUT"
    log "stopped"
  fi
  rm -f "$PID_FILE" "$ENV_FILE"
}

bolt_port() {
  sed -n 's|^export NEO4J_URI=bolt://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$ENV_FILE" 2>/dev/null || true
}

cmd_status() {
  local pid
  if pid=$(running_pid) && [[ -s $ENV_FILE ]]; then
    printf 'running: bolt://127.0.0.1:%s (pid %s)\n' "$(bolt_port)" "$pid"
    return 0
  fi
  printf 'not running\n'
  return 3
}

cmd_env() {
  if running_pid >/dev/null && [[ -s $ENV_FILE ]]; then
    cat "$ENV_FILE"
    return 0
  fi
  log "not running (start it with: eval \"\$(scripts/neo4j.sh start)\")"
  return 3
}

main() {
  if (($# != 1)); then
    usage >&2
    exit 2
  fi
  case $1 in
    start | restart | stop | status | env) set_run_dir ;;
  esac
  case $1 in
    start) cmd_start ;;
    restart) cmd_restart ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    fetch)
      fetch
      log "Neo4j $(neo4j_version) is cached in $(dist_dir)"
      ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
