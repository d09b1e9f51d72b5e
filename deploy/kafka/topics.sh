#!/usr/bin/env bash
# Creates the topics of topics.txt with kafka-topics.sh, for clusters managed without the service's own
# `pipeline-secrets topics apply` (which creates the same topics and reports drift). Existing topics are left
# as they are (--if-not-exists); `topics apply` tells what differs.
#
#   deploy/kafka/topics.sh                          # print the commands (default: changes nothing)
#   BOOTSTRAP=broker:9092 COMMAND_CONFIG=admin.properties deploy/kafka/topics.sh --apply
#
# KAFKA_BIN: directory of kafka-topics.sh (default: on PATH). COMMAND_CONFIG: client properties for SASL/TLS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:---print}"
case "$mode" in
  --print|--apply) ;;
  *) echo "usage: $0 [--print|--apply]" >&2; exit 2 ;;
esac

bootstrap="${BOOTSTRAP:-localhost:9092}"
tool="${KAFKA_BIN:+$KAFKA_BIN/}kafka-topics.sh"
connection=(--bootstrap-server "$bootstrap")
[[ -n "${COMMAND_CONFIG:-}" ]] && connection+=(--command-config "$COMMAND_CONFIG")

while read -r topic partitions replication cleanup retention min_isr; do
  [[ -z "$topic" || "$topic" == \#* ]] && continue
  command=("$tool" "${connection[@]}" --create --if-not-exists --topic "$topic"
           --partitions "$partitions" --replication-factor "$replication"
           --config "cleanup.policy=$cleanup")
  [[ "$retention" != "-" ]] && command+=(--config "retention.ms=$retention")
  [[ "$min_isr" != "-" ]] && command+=(--config "min.insync.replicas=$min_isr")
  if [[ "$mode" == --apply ]]; then
    "${command[@]}"
  else
    printf '%q ' "${command[@]}"; echo
  fi
done < "$here/topics.txt"
