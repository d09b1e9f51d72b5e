#!/usr/bin/env bash
# Turns acls.txt into kafka-acls.sh commands: prints them (default, changes nothing) or runs them (--apply).
#
#   deploy/kafka/acls.sh
#   BOOTSTRAP=broker:9093 COMMAND_CONFIG=admin.properties \
#   SERVICE_PRINCIPAL=User:secrets-lifecycle PLATFORM_PRINCIPAL=User:tower deploy/kafka/acls.sh --apply
#
# Principals per role (defaults in brackets): SERVICE_PRINCIPAL [User:secrets-lifecycle],
# PLATFORM_PRINCIPAL [User:platform], DASHBOARDS_PRINCIPAL [User:pipeline-secrets-dashboards],
# REPLAY_PRINCIPAL [User:pipeline-secrets-replay], DEPLOY_PRINCIPAL [User:pipeline-secrets-deploy].
# KAFKA_BIN: directory of kafka-acls.sh (default: on PATH). COMMAND_CONFIG: admin client properties (SASL/TLS).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:---print}"
case "$mode" in
  --print|--apply) ;;
  *) echo "usage: $0 [--print|--apply]" >&2; exit 2 ;;
esac

principal() {
  case "$1" in
    service)    echo "${SERVICE_PRINCIPAL:-User:secrets-lifecycle}" ;;
    platform)   echo "${PLATFORM_PRINCIPAL:-User:platform}" ;;
    dashboards) echo "${DASHBOARDS_PRINCIPAL:-User:pipeline-secrets-dashboards}" ;;
    replay)     echo "${REPLAY_PRINCIPAL:-User:pipeline-secrets-replay}" ;;
    deploy)     echo "${DEPLOY_PRINCIPAL:-User:pipeline-secrets-deploy}" ;;
    *) echo "acls.txt: unknown role '$1'" >&2; exit 1 ;;
  esac
}

bootstrap="${BOOTSTRAP:-localhost:9092}"
tool="${KAFKA_BIN:+$KAFKA_BIN/}kafka-acls.sh"
connection=(--bootstrap-server "$bootstrap")
[[ -n "${COMMAND_CONFIG:-}" ]] && connection+=(--command-config "$COMMAND_CONFIG")

while read -r role type pattern name operations; do
  [[ -z "$role" || "$role" == \#* ]] && continue
  case "$type" in
    topic|group|transactional-id) resource=("--$type" "$name") ;;
    cluster) resource=(--cluster) ;;
    *) echo "acls.txt: unknown resource type '$type'" >&2; exit 1 ;;
  esac
  command=("$tool" "${connection[@]}" --add --allow-principal "$(principal "$role")"
           --resource-pattern-type "$pattern" "${resource[@]}")
  IFS=, read -ra ops <<< "$operations"
  for op in "${ops[@]}"; do command+=(--operation "$op"); done
  if [[ "$mode" == --apply ]]; then
    "${command[@]}"
  else
    printf '%q ' "${command[@]}"; echo
  fi
done < "$here/acls.txt"
