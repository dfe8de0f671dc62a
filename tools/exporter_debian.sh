#!/usr/bin/env bash
# The director's exporter on the prometheus_client Debian ships (python3-prometheus-client:
# 0.16 in Debian 12, 0.21 in 13; the main virtualenv pins 0.21), unpacked under .build:
# its unit tests on that client, and one exposition by /usr/bin/python3, as on a director.
#   bash tools/exporter_debian.sh       (make metrics)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
path=
for pkg in python3-prometheus-client python3-decorator; do   # 0.16's context managers import decorator
  path=$path${path:+:}$(bash tools/debian_package.sh "$pkg")/usr/lib/python3/dist-packages
done
echo "[exporter] python3-prometheus-client $(cat .build/debian/python3-prometheus-client/.stamp)"
PYTHONPATH=$path .venv/bin/python -m pytest -q -p no:cacheprovider tests/unit/roles/test_exporter.py
f=tests/unit/fixtures
PYTHONPATH=$path /usr/bin/python3 roles/director/files/lvs-ha-exporter.py --once --source keepalived --source ipvs \
  --keepalived-pid-file '' --keepalived-dump $f/keepalived_master.json --services-file $f/lvs_ha_services.json \
  --ipvs-table $f/proc_net_ip_vs.txt | grep -q '^lvs_ha_virtual_server_real_servers_up{.*service="web".*} 1.0$'
echo "[exporter] $(/usr/bin/python3 --version) (/usr/bin/python3) exposes the fixtures' metrics"
