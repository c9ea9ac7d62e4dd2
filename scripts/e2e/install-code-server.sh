#!/usr/bin/env bash
# Installs code-server (a full VS Code: server + web workbench, from the npm registry) into a
# cache folder outside the repo, for the end-to-end tests in test/e2e. Idempotent: a finished
# install is detected and left alone, so CI and developers can call this every time.
#
#   HYPERPROMPT_E2E_CACHE   cache folder (default: $HOME/.cache/hyperprompt-e2e)
#
# Why code-server and not @vscode/test-electron: the latter downloads a VS Code build at run
# time, and this machine kind reaches only the npm registry and Debian's packages
# (see ../shared/e2e-code-server.md for the recipe this follows).
set -euo pipefail

VERSION=4.100.3            # newest code-server whose engines field accepts Node 20 (VS Code 1.100)
RG_PKG_VERSION=1.15.11     # the @vscode/ripgrep that code-server $VERSION bundles
RG_RELEASE=v13.0.0-10      # the ripgrep release tag that @vscode/ripgrep $RG_PKG_VERSION fetches
CACHE="${HYPERPROMPT_E2E_CACHE:-$HOME/.cache/hyperprompt-e2e}"
PREFIX="$CACHE/code-server-$VERSION"
MARKER="$PREFIX/.hyperprompt-installed"
BIN="$PREFIX/node_modules/code-server/out/node/entry.js"

if [ -f "$MARKER" ] && [ -f "$BIN" ]; then
  echo "code-server $VERSION already installed in $PREFIX"
  exit 0
fi

started=$(date +%s)

# System packages: kerberos headers (code-server's native `kerberos` module builds against them),
# ripgrep (stands in for the one @vscode/ripgrep would download) and chromium (the test browser).
need=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]}; install them (apt-get install -y ${need[*]}) and run this again" >&2
    exit 1
  fi
  echo "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it first
# looks for the release tarball in a cache folder under the temp dir, so put Debian's rg there.
tmp="${TMPDIR:-/tmp}"
rgcache="$tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
rgtar="$rgcache/ripgrep-$RG_RELEASE-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$rgtar" ]; then
  stage=$(mktemp -d)
  cp "$(command -v rg)" "$stage/rg"
  mkdir -p "$rgcache"
  tar czf "$rgtar.partial" -C "$stage" rg
  mv "$rgtar.partial" "$rgtar"
  rm -rf "$stage"
fi

# A half-finished earlier attempt is thrown away rather than patched.
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
# A package.json of its own keeps npm from walking up into some other project, and records
# that code-server's install scripts (it builds native modules and installs VS Code's own
# dependencies in postinstall) are wanted.
cat >"$PREFIX/package.json" <<JSON
{ "name": "hyperprompt-e2e-code-server", "private": true, "allowScripts": { "code-server": true } }
JSON
log="$CACHE/install-code-server.log"
echo "installing code-server@$VERSION into $PREFIX (log: $log); this takes a few minutes"
# code-server's postinstall refuses to run as root unless npm says --unsafe-perm; npm 11 no longer
# knows that option but still hands it to scripts as npm_config_unsafe_perm, which is all the
# check reads. The postinstall then runs `npm install` inside code-server for VS Code's own
# dependencies (native modules built with node-gyp against Node's headers); node-pty's own
# postinstall calls `npx node-gyp`, which needs npm_config_yes=true when nobody can answer.
if ! (cd "$PREFIX" && npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund "code-server@$VERSION") >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "code-server install failed; the full log is $log" >&2
  exit 1
fi
if [ ! -f "$BIN" ]; then
  tail -n 40 "$log" >&2
  echo "code-server install finished but $BIN is missing; see $log" >&2
  exit 1
fi
echo "$VERSION" >"$MARKER"
echo "code-server $VERSION installed in $(( $(date +%s) - started ))s"
