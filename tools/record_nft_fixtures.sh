#!/usr/bin/env bash
# Records the exporter's nftables fixtures (tests/unit/fixtures/nft_ruleset_*.json):
# the role's lvs_ha table as templates/lvs-ha.nft.j2 renders it, family ip (0.2)
# and inet with the IPv6 rules (0.3), loaded by the real nft in a private network namespace
# (the host's rules are never touched), packets sent to each drop rule, then
# `nft -j list ruleset`. Needs root, nft and python3.
#   bash tools/record_nft_fixtures.sh
set -euo pipefail
[ "${1:-}" = inner ] || exec unshare -n bash "$0" inner
out=$(cd "$(dirname "$0")/.." && pwd)/tests/unit/fixtures
ip link set lo up
ip addr add 10.77.0.10/32 dev lo
ip addr add 10.77.0.11/32 dev lo
ip -6 addr add fd00:77::10/128 dev lo

# Another table with a rule of the same comment: the exporter reads lvs_ha's only.
other='table inet filter {
    chain input {
        type filter hook input priority -10; policy accept;
        udp dport 9 counter accept comment "VRRP from a non-peer"
    }
}'
rules() {   # $1: family; $2: 6 for the IPv6 rules
    cat <<EOF
table $1 lvs_ha {
    chain prerouting {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr 10.77.0.11 tcp dport { 80, 443 } meta mark set 7
    }
    set peers {
        type ipv4_addr
        elements = { 10.77.0.12 }
    }
$([ "${2:-}" = 6 ] && printf '    set peers6 {\n        type ipv6_addr\n        elements = { fd00:77::12 }\n    }\n')
    chain input {
        type filter hook input priority filter; policy accept;
        ip protocol 112 ip saddr != @peers counter drop comment "VRRP from a non-peer"
        udp dport 8848 ip saddr != @peers counter drop comment "IPVS sync from a non-peer"
$([ "${2:-}" = 6 ] && printf '        meta l4proto 112 ip6 saddr != @peers6 counter drop comment "VRRP from a non-peer"\n')
    }
    chain stray {
        type filter hook input priority 200; policy accept;
        tcp flags & syn == 0 ip daddr . tcp dport { 10.77.0.10 . 80 } counter drop comment "TCP to a virtual service, unknown to IPVS"
        tcp flags & syn == 0 meta mark { 7 } counter drop comment "TCP to a fwmark service, unknown to IPVS"
$([ "${2:-}" = 6 ] && printf '        tcp flags & syn == 0 ip6 daddr . tcp dport { fd00:77::10 . 80 } counter drop comment "TCP to a virtual service, unknown to IPVS"\n')
    }
}
EOF
}

# 2 forged adverts, 3 forged sync messages, 5 stray ACKs to 10.77.0.10:80, 1 to
# the fwmark service (10.77.0.11:443), and over IPv6 1 advert and 4 ACKs; 1
# datagram counted by the other table.
send() {
    python3 - "$1" <<'PY'
import socket, struct, sys
def ack(port):   # a bare TCP ACK from port 40000; the checksum is not checked before input
    return struct.pack('!HHIIBBHHH', 40000, port, 1, 1, 5 << 4, 0x10, 65535, 0, 0)
def raw(family, proto, dest, payload, count):
    with socket.socket(family, socket.SOCK_RAW, proto) as s:
        for _ in range(count):
            s.sendto(payload, (dest, 0))
raw(socket.AF_INET, 112, '127.0.0.1', bytes(20), 2)
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    for _ in range(3):
        s.sendto(b'sync', ('127.0.0.1', 8848))
    s.sendto(b'other', ('127.0.0.1', 9))
raw(socket.AF_INET, socket.IPPROTO_TCP, '10.77.0.10', ack(80), 5)
raw(socket.AF_INET, socket.IPPROTO_TCP, '10.77.0.11', ack(443), 1)
if sys.argv[1] == '6':
    raw(socket.AF_INET6, 112, '::1', bytes(20), 1)
    raw(socket.AF_INET6, socket.IPPROTO_TCP, 'fd00:77::10', ack(80), 4)
PY
}

record() {   # $1: family; $2: 6 or ""; $3: fixture name
    nft flush ruleset
    nft -f - <<< "$other"
    rules "$1" "$2" | nft -f -
    send "${2:-4}"
    nft -j list ruleset > "$out/$3"
    echo "recorded $out/$3 ($(nft --version))"
}
record ip "" nft_ruleset_ip.json
record inet 6 nft_ruleset_inet.json
