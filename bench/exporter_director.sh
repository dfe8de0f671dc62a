#!/usr/bin/env bash
# The role's exporter on a converged director: CPU and wall time per scrape and
# its memory, read from /proc around N scrapes (bench/exporter.py measures the
# same exporter on this host, against fixtures).
#   source lab/.state/env; bash bench/exporter_director.sh director1 [N] [PORT]
set -euo pipefail
director=${1:?a director container}
n=${2:-30}
port=${3:-9848}
docker exec -i "$director" bash -s "$n" "$port" <<'IN'
n=$1 port=$2
pid=$(systemctl show -p MainPID --value lvs-ha-exporter)
[ "$pid" -gt 0 ] || { echo "lvs-ha-exporter is not running" >&2; exit 1; }
ticks=$(getconf CLK_TCK)
# utime + stime of the exporter, and of its waited-for children (ipvsadm, nft, keepalived --signum).
cpu() { awk '{print $14 + $15, $16 + $17}' "/proc/$pid/stat"; }
curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"   # warm
read -r own0 kids0 < <(cpu); start=$(date +%s%N)
for _ in $(seq "$n"); do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"; done
end=$(date +%s%N); read -r own1 kids1 < <(cpu)
size=$(curl -sf "http://127.0.0.1:$port/metrics" | wc -c)
awk -v c=$((own1 - own0)) -v k=$((kids1 - kids0)) -v t="$ticks" -v n="$n" -v w=$(((end - start) / 1000000)) -v s="$size" \
  -v rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" -v hwm="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" \
  'BEGIN { printf "%d scrapes of %d bytes: CPU %.1f ms per scrape in the exporter + %.1f ms in its commands, wall %.1f ms, RSS %.1f MiB (peak %.1f)\n", n, s, c * 1000 / t / n, k * 1000 / t / n, w / n, rss / 1024, hwm / 1024 }'
IN
