#!/bin/sh
# install-deps.sh PKG... — install the Debian packages that are missing, without
# prompting. Runs apt-get update first only when something must be installed.
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "deps: all installed ($*)"
    exit 0
fi
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq || exit 1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing || exit 1
