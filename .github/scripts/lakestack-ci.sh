#!/usr/bin/env bash
# The steps the plan, deploy and drift workflows share. Run from the repository root; each subcommand
# writes key=value lines to $GITHUB_OUTPUT.
#
#   environments [<changed files>]  environments=<JSON list>: every environment, or only the ones the
#                                   listed files affect
#   deploy-order                    environments=<JSON list>: every environment, in the order of
#                                   .github/deploy-order.txt
#   region <env>                    region=<the environment's AWS region>
#   allowed <env>                   addresses=<what allow-destroy.txt allows for <env>>, when the
#                                   ALLOW_DESTROY variable is "true"
set -euo pipefail

ORDER_FILE=.github/deploy-order.txt

# Environments are config/*.yaml but base.yaml, as lakestack reads them, sorted by name: into ALL.
ALL=()
load_environments() {
  local file name
  for file in config/*.yaml; do
    name=$(basename "$file" .yaml)
    [ "$name" = base ] && continue
    if ! [[ "$name" =~ ^[a-z][a-z0-9-]{0,15}$ ]]; then
      echo "::error file=$file::environment file names are 1-16 lowercase letters, digits and hyphens"
      return 1
    fi
    ALL+=("$name")
  done
}

contains() {
  local wanted=$1 item
  shift
  for item in "$@"; do [ "$item" = "$wanted" ] && return 0; done
  return 1
}

json_list() {
  jq -Rcs 'split("\n") | map(select(. != ""))'
}

# Without a list of changed files every environment is picked; with one, config/<env>.yaml picks
# <env>, Markdown picks nothing, and anything else (base.yaml, code, workflows) picks them all.
environments() {
  local changed=${1:-} path name
  local -a picked=()
  load_environments
  if [ -z "$changed" ]; then
    picked=("${ALL[@]}")
  else
    while IFS= read -r path; do
      case "$path" in
        "" | *.md) ;;
        config/base.yaml) picked=("${ALL[@]}"); break ;;
        config/*.yaml)
          name=$(basename "$path" .yaml)
          if contains "$name" "${ALL[@]}"; then
            picked+=("$name")
          else
            # A removed or renamed environment: plan the ones that remain.
            picked=("${ALL[@]}")
            break
          fi
          ;;
        *) picked=("${ALL[@]}"); break ;;
      esac
    done < "$changed"
  fi
  local list
  list=$(printf '%s\n' "${picked[@]}" | sort -u | json_list)
  echo "environments=$list" >> "$GITHUB_OUTPUT"
  echo "environments: $list"
}

# The order file names every environment once: deploying one that nobody placed in the order, or
# skipping one, would be a silent change of the pipeline.
deploy_order() {
  local -a ordered
  load_environments
  if [ ! -f "$ORDER_FILE" ]; then
    echo "::error::$ORDER_FILE is missing: list the environments in the order they deploy"
    return 1
  fi
  mapfile -t ordered < <(tr -d '\r' < "$ORDER_FILE" | sed 's/#.*//' | awk 'NF { print $1 }')
  local name problems=0
  for name in "${ordered[@]}"; do
    if ! contains "$name" "${ALL[@]}"; then
      echo "::error file=$ORDER_FILE::$name has no config/$name.yaml: remove it from $ORDER_FILE"
      problems=1
    fi
  done
  for name in $(printf '%s\n' "${ordered[@]}" | sort | uniq -d); do
    echo "::error file=$ORDER_FILE::$name is listed more than once"
    problems=1
  done
  for name in "${ALL[@]}"; do
    if ! contains "$name" "${ordered[@]}"; then
      echo "::error file=$ORDER_FILE::config/$name.yaml is not listed: add $name where it should deploy"
      problems=1
    fi
  done
  [ "$problems" -eq 0 ] || return 1
  local list
  list=$(printf '%s\n' "${ordered[@]}" | json_list)
  echo "environments=$list" >> "$GITHUB_OUTPUT"
  echo "deploy order: $list"
}

region() {
  local env=${1:?region needs an environment}
  local found
  found=$(node bin/lakestack envs --json | jq -r --arg env "$env" '.[] | select(.name == $env) | .region')
  if [ -z "$found" ]; then
    echo "::error::lakestack envs lists no region for $env"
    return 1
  fi
  echo "region=$found" >> "$GITHUB_OUTPUT"
}

# allow-destroy.txt lines: "<environment> <address> [<address>…]"; "#" starts a comment. The label
# (ALLOW_DESTROY=true) switches the file on; without it the guard blocks every destructive change.
allowed() {
  local env=${1:?allowed needs an environment}
  local addresses=""
  if [ "${ALLOW_DESTROY:-}" = "true" ] && [ -f allow-destroy.txt ]; then
    addresses=$(tr -d '\r' < allow-destroy.txt | sed 's/#.*//' |
      awk -v env="$env" '$1 == env { for (i = 2; i <= NF; i++) printf "%s ", $i }')
    addresses=${addresses% }
  fi
  echo "addresses=$addresses" >> "$GITHUB_OUTPUT"
  if [ -n "$addresses" ]; then echo "accepting destructive changes at: $addresses"; fi
}

command=${1:-}
shift || true
case "$command" in
  environments) environments "$@" ;;
  deploy-order) deploy_order ;;
  region) region "$@" ;;
  allowed) allowed "$@" ;;
  *)
    echo "usage: $0 environments [<changed files>] | deploy-order | region <env> | allowed <env>" >&2
    exit 2
    ;;
esac
