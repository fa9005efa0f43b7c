#!/usr/bin/env bash
# pinned.sh: PERFORMANCE.md's procedure 2, the pinned comparison, as one
# command. Every server runs on CPU 0 and wrk on CPU 1, so the load
# generator never takes the server's core; the servers are measured in
# rounds, the order rotated each round, and the median round per server
# is reported with its CPU time per request (utime+stime from
# /proc/PID/stat over wrk's request count).
#
# Usage: internal/bench/pinned.sh [keep-alive|close]
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (50),
# SERVERS ("final final-gc0 net/http fasthttp"; also ch05 and ch09, the
# stages as `learn run` serves them; final-gcSIZE and ch09-gcSIZE run
# with --gc-floor SIZE, as final-gc0 or final-gc128MiB), NAME@base to run
# NAME from the binary LEARN_BASE, NAME@alt from the binary LEARN_ALT,
# BASE_PORT (18361: the servers take ports from it up).
#
# The table gives each server's medians and its peak resident memory
# (VmHWM) at the end of the run.
#
# Needs Linux, taskset and wrk (apt-get install wrk). Run it from the
# repository's root on an otherwise quiet machine with two cores or more.
set -euo pipefail

mode=${1:-keep-alive}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-50}
read -r -a servers <<<"${SERVERS:-final final-gc0 net/http fasthttp}"
case $mode in
keep-alive) header=() ;;
close) header=(-H "Connection: close") ;;
*) echo "pinned.sh: mode $mode: use keep-alive or close" >&2; exit 2 ;;
esac
for tool in wrk taskset curl; do
	command -v "$tool" >/dev/null || { echo "pinned.sh: $tool is not installed" >&2; exit 1; }
done

# Pinning keeps this run's programs apart, not other people's: say when
# the machine was busy in the second before the run. (The CPUs' own idle
# time, not the load average, which counts tasks waiting on I/O too.)
# user to steal (guest time is inside user already); %.0f, as mawk prints
# numbers past 2^31 in exponent form otherwise.
cpu_times() { awk '/^cpu / {t = 0; for (i = 2; i <= 9 && i <= NF; i++) t += $i; printf "%.0f %.0f\n", $5 + $6, t}' /proc/stat; }
read -r idle1 total1 < <(cpu_times)
sleep 1
read -r idle2 total2 < <(cpu_times)
busy_start=$(awk -v i="$((idle2 - idle1))" -v t="$((total2 - total1))" 'BEGIN {printf "%.0f", (t > 0 ? 100 * (1 - i / t) : 0)}')
if ((busy_start > 20)); then
	echo "pinned.sh: warning: the CPUs were ${busy_start}% busy before the run: something else is running, and the figures will show it" >&2
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/learn" ./cmd/learn

# start NAME PORT: runs the server NAME on CPU 0, listening on PORT.
# NAME@base runs NAME with the learn binary $LEARN_BASE instead: a build
# of another commit, for a before and after in one sitting; NAME@alt
# with $LEARN_ALT, a third build (a variant) beside the two.
start() {
	local cmd bin=$work/learn name=$1
	case $1 in
	*@base)
		bin=${LEARN_BASE:?"pinned.sh: $1 needs LEARN_BASE, a learn binary"}
		name=${1%@base}
		;;
	*@alt)
		bin=${LEARN_ALT:?"pinned.sh: $1 needs LEARN_ALT, a learn binary"}
		name=${1%@alt}
		;;
	esac
	case $name in
	final) cmd=(run final --port "$2" --access-log off) ;;
	final-gc*) cmd=(run final --port "$2" --access-log off --gc-floor "${name#final-gc}") ;;
	ch05) cmd=(run ch05 --port "$2") ;;
	ch09) cmd=(run ch09 --port "$2") ;;
	ch09-gc*) cmd=(run ch09 --port "$2" --gc-floor "${name#ch09-gc}") ;;
	net/http) cmd=(serve-net-http --port "$2") ;;
	fasthttp) cmd=(serve-fasthttp --port "$2") ;;
	*) echo "pinned.sh: unknown server $1" >&2; exit 2 ;;
	esac
	NO_COLOR=1 taskset -c 0 "$bin" "${cmd[@]}" >"$work/${1//[\/@]/-}.log" 2>&1 &
	pids+=($!)
	eval "pid_${1//[\/@-]/_}=$!"
	for _ in $(seq 100); do
		curl -fs -o /dev/null "http://127.0.0.1:$2/" && return
		sleep 0.1
	done
	echo "pinned.sh: $1 did not answer on port $2" >&2
	exit 1
}

declare -A port
next=${BASE_PORT:-18361}
for s in "${servers[@]}"; do
	port[$s]=$next
	start "$s" "$next"
	next=$((next + 1))
done
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }

for s in "${servers[@]}"; do # warm-up
	taskset -c 1 wrk -t1 -c"$conns" -d2s "${header[@]}" "http://127.0.0.1:${port[$s]}/" >/dev/null
done

results=$work/results
: >"$results"
for ((r = 0; r < rounds; r++)); do
	for ((i = 0; i < ${#servers[@]}; i++)); do
		s=${servers[$(((i + r) % ${#servers[@]}))]}
		pidvar=pid_${s//[\/@-]/_}
		pid=${!pidvar}
		before=$(cpu "$pid")
		out=$(taskset -c 1 wrk -t1 -c"$conns" -d"$duration" --latency "${header[@]}" "http://127.0.0.1:${port[$s]}/")
		after=$(cpu "$pid")
		requests=$(awk '/requests in/ {print $1}' <<<"$out")
		rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
		# wrk prints 850.21us, 3.57ms or 1.02s: in ms.
		p99=$(awk '$1 == "99%" {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
			printf "%.3f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : 1)}' <<<"$out")
		errors=$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out" | tr '\n' ' ')
		cpu_us=$(awk -v a="$after" -v b="$before" -v t="$ticks" -v n="$requests" 'BEGIN {printf "%.2f", (a-b)/t*1e6/n}')
		echo "round $((r + 1))/$rounds  $s  req/s $rps  p99 ${p99}ms  CPU/req ${cpu_us}µs  $errors" >&2
		echo "$s $rps $p99 $cpu_us" >>"$results"
	done
done

echo
echo "pinned ($mode, $conns connections, $rounds rounds of $duration, medians; $(date -u '+%Y-%m-%d %H:%M UTC'); CPUs ${busy_start}% busy before)"
printf '%-16s %10s %10s %10s %10s\n' server req/s p99 CPU/req 'peak RSS'
median() { awk -v s="$1" -v f="$2" '$1 == s {print $f}' "$results" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for s in "${servers[@]}"; do
	pidvar=pid_${s//[\/@-]/_}
	rss=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/${!pidvar}/status")
	printf '%-16s %10s %8sms %8sµs %7s MB\n' "$s" "$(median "$s" 2)" "$(median "$s" 3)" "$(median "$s" 4)" "$rss"
done
