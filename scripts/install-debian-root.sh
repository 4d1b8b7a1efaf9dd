#!/usr/bin/env bash
# Installs a Debian root (<suite>, e.g. trixie or forky) with its PostgreSQL <major> (server
# and psql, built with NLS) linked against that suite's OpenSSL, as a real oracle of that
# combination and of PostgreSQL's translations (test/support/pg-oracle.ts runs it under chroot:
# PgOracle.create({ version, build: suite }), its table of builds names suite and major).
# Its binaries need the suite's glibc, hence a whole root (debootstrap --variant=minbase, then
# apt-get inside it), in $PGTLS_<SUITE>_ROOT (default /var/cache/pgtls/<suite>; the harness reads the same variable), outside the
# repo and enterable by every user.
# Also: openssl (the CLI of the same OpenSSL) and the ja_JP.UTF-8 locale (the server's
# lc_messages in test/pg/i18n-oracle.test.ts). The package makes its cluster <major>/main, as
# on any such machine (pg_wrapper then points psql without a host at its socket directory, as
# Debian 12's does with 15/main: simulate's pgWrapper), but no service is started: the tests
# run clusters of their own.
# Idempotent: a root whose stamp file (.pgtls-<suite>) names this layout is left alone; an
# interrupted install is started again from scratch (it is built in <root>.partial).
# Needs root, debootstrap and deb.debian.org ($PGTLS_DEBIAN_MIRROR): without them it says why
# and exits 1 (the suites then replay their recordings). Measured here for trixie/17: 63 s to
# 2 min 47 s, 521 MB.
set -euo pipefail

usage() { echo "usage: install-debian-root.sh <suite> <postgresql-major>   (e.g. trixie 17, forky 18)" >&2; exit 2; }
[ $# = 2 ] || usage
suite="$1"
major="$2"
[[ "$suite" =~ ^[a-z]+$ ]] || usage
[[ "$major" =~ ^[0-9]+$ ]] || usage
me="install-debian-root($suite)"

rootvar="PGTLS_${suite^^}_ROOT"
root="${!rootvar:-/var/cache/pgtls/$suite}"
mirror="${PGTLS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages=("postgresql-$major" "postgresql-client-$major" openssl)
stamp=".pgtls-$suite"
# bumped when what this script makes changes, so that an older root is made again
layout="pgtls-$suite layout 2"
bin="/usr/lib/postgresql/$major/bin"

if [ "$(head -1 "$root/$stamp" 2>/dev/null)" = "$layout" ] && [ -x "$root$bin/postgres" ] && [ -x "$root$bin/psql" ]; then
  echo "$me: already in $root:"
  tail -n +2 "$root/$stamp" | sed "s/^/  /"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "$me: must run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || { echo "$me: debootstrap not installed (apt-get install debootstrap)" >&2; exit 1; }
if command -v curl >/dev/null 2>&1 && ! curl -sfI --max-time 20 "$mirror/dists/$suite/Release" >/dev/null; then
  echo "$me: $mirror/dists/$suite/Release is not reachable" >&2
  exit 1
fi

work="$root.partial"
# an interrupted debootstrap may leave /proc or /sys mounted inside: unmount before removing
if [ -d "$work" ]; then
  findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$work"
fi
mkdir -p "$(dirname "$root")"
echo "$me: debootstrap $suite into $work"
# A suite debootstrap has no script for yet (a new testing) is bootstrapped like sid.
script=()
[ -e "/usr/share/debootstrap/scripts/$suite" ] || script=(/usr/share/debootstrap/scripts/sid)
debootstrap --variant=minbase --include=locales "$suite" "$work" "$mirror" "${script[@]}" >"$work.log" 2>&1 || {
  echo "$me: debootstrap failed (last lines of $work.log):" >&2
  tail -5 "$work.log" >&2
  exit 1
}
# The packages' scripts must start no service.
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 755 "$work/usr/sbin/policy-rc.d"
echo "$me: apt-get install ${packages[*]}"
# with /proc mounted (forky's postgresql-common runs systemd-tmpfiles, which refuses to work
# without it), in a mount namespace of its own so that nothing stays mounted in the root
unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && exec chroot "$@"' sh "$work" \
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$work.log" 2>&1 || {
  echo "$me: apt-get install in the root failed (last lines of $work.log):" >&2
  tail -5 "$work.log" >&2
  exit 1
}
chroot "$work" localedef -i ja_JP -f UTF-8 ja_JP.UTF-8
chroot "$work" apt-get clean
rm -rf "$work"/var/lib/apt/lists/*
# What it holds, as the tests and the README name it.
{
  echo "$layout"
  echo "debian $(cat "$work/etc/debian_version")"
  chroot "$work" "$bin/postgres" --version
  chroot "$work" "$bin/psql" --version
  chroot "$work" openssl version
  chroot "$work" dpkg-query -W -f '${Package} ${Version}\n' libc6 perl-base "postgresql-$major" libssl3t64 2>/dev/null || true
} >"$work/$stamp"
rm -rf --one-file-system "$root" "$work.log"
mv "$work" "$root"
# Every directory on the way down must be enterable by postgres (and the root itself readable).
d="$root"
while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
echo "$me: installed in $root ($(du -sh "$root" | cut -f1)):"
tail -n +2 "$root/$stamp" | sed "s/^/  /"
