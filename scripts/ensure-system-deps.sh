#!/usr/bin/env bash
# Make sure the system packages the integration tests need are present:
#   slapd + ldap-utils (throwaway OpenLDAP), samba + samba-ad-dc + samba-ad-provision + winbind
#   (throwaway Samba AD DC), postgresql (state backend tests), openssl (test CAs).
#
# Fast and silent when everything is there (a few file tests, no apt). When something is
# missing: as root with a usable apt-get, run `apt-get update` once and install the missing
# packages non-interactively; otherwise print the exact command to run and exit 1.
# Idempotent: a second run finds everything and does nothing.
set -euo pipefail

# package -> a file that proves it is installed. samba-ad-dc is a metapackage; its key
# dependency (samba-dsdb-modules, the AD database modules) is what we look for.
probe() {
  case "$1" in
    slapd) [ -x /usr/sbin/slapd ] ;;
    ldap-utils) command -v ldapsearch >/dev/null 2>&1 ;;
    samba) [ -x /usr/sbin/samba ] && command -v samba-tool >/dev/null 2>&1 ;;
    samba-ad-provision) [ -d /usr/share/samba/setup/ad-schema ] ;;
    samba-ad-dc) compgen -G '/usr/lib/*/samba/ldb/samba_dsdb.so' >/dev/null || compgen -G '/usr/lib*/samba/ldb/samba_dsdb.so' >/dev/null ;;
    winbind) [ -x /usr/sbin/winbindd ] ;;
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || command -v pg_ctl >/dev/null 2>&1 ;;
    openssl) command -v openssl >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

PACKAGES=(slapd ldap-utils samba samba-ad-dc samba-ad-provision winbind postgresql openssl)
missing=()
for p in "${PACKAGES[@]}"; do
  probe "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

cmd="DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"

# shellcheck source=deps/apt-access.sh
source "$(dirname "${BASH_SOURCE[0]}")/deps/apt-access.sh"

if [ "$can_apt" -ne 1 ]; then
  echo "ensure-system-deps: missing system packages: ${missing[*]}" >&2
  echo "Install them (as root) with:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi

echo "ensure-system-deps: installing ${missing[*]} (about a minute)..." >&2
# Keep the packaged daemons from starting (policy-rc.d 101 = "action forbidden"); the tests
# run their own throwaway servers on private ports. Only create the file if none exists.
policy_rc=/usr/sbin/policy-rc.d
created_policy_rc=0
if [ ! -e "$policy_rc" ]; then
  "${SUDO[@]}" sh -c "printf '#!/bin/sh\\nexit 101\\n' >$policy_rc && chmod +x $policy_rc" && created_policy_rc=1
fi
cleanup() { if [ "$created_policy_rc" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy_rc"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; then
  echo "ensure-system-deps: apt-get update failed; run manually: apt-get update && $cmd" >&2
  exit 1
fi
# Releases before Samba 4.17's packaging split (e.g. Ubuntu 22.04) have no samba-ad-dc /
# samba-ad-provision packages: `samba` itself carries the DC there. Skip names apt does not know.
install=()
for p in "${missing[@]}"; do
  case "$p" in
    samba-ad-dc | samba-ad-provision)
      if [ -n "$(apt-cache policy "$p" 2>/dev/null | grep 'Candidate:' | grep -v '(none)')" ]; then install+=("$p"); fi ;;
    *) install+=("$p") ;;
  esac
done
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "${install[@]}" >/dev/null; then
  echo "ensure-system-deps: install failed; run manually: apt-get update && $cmd" >&2
  exit 1
fi

# Verify: a package that installed but did not provide what we probe for is still a failure.
still=()
for p in "${missing[@]}"; do
  probe "$p" || still+=("$p")
done
if [ "${#still[@]}" -ne 0 ]; then
  echo "ensure-system-deps: still missing after install: ${still[*]}" >&2
  exit 1
fi
echo "ensure-system-deps: installed ${missing[*]}" >&2
