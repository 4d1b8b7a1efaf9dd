#!/usr/bin/env bash
# Installs a Debian 13 "trixie" root with its PostgreSQL 17 (server and psql, built with NLS)
# linked against its OpenSSL 3.5, as a real oracle of that combination and of PostgreSQL 17's
# translations (test/support/pg-oracle.ts runs it under chroot: PgOracle.create({ version: 17,
# build: 'trixie' })). Its binaries need trixie's glibc, hence a whole root (debootstrap
# --variant=minbase, then apt-get inside it), in $PGTLS_TRIXIE_ROOT (default
# /var/cache/pgtls/trixie), outside the repo and enterable by every user.
# Also: openssl (the CLI of the same OpenSSL) and the ja_JP.UTF-8 locale (the server's
# lc_messages in test/pg/i18n-oracle.test.ts). The package makes its cluster 17/main, as on
# any trixie machine (pg_wrapper then points psql without a host at its socket directory, as
# Debian 12's does with 15/main: simulate's pgWrapper), but no service is started: the tests
# run clusters of their own.
# Idempotent: a root whose stamp file (.pgtls-trixie) names this layout is left alone; an
# interrupted install is started again from scratch (it is built in <root>.partial).
# Needs root, debootstrap and deb.debian.org ($PGTLS_TRIXIE_MIRROR): without them it says why
# and exits 1 (the suites then replay their recordings). One to three minutes and 520 MB (measured here: 63 s to 2 min 47 s, 521 MB).
set -euo pipefail

root="${PGTLS_TRIXIE_ROOT:-/var/cache/pgtls/trixie}"
mirror="${PGTLS_TRIXIE_MIRROR:-http://deb.debian.org/debian}"
packages=(postgresql-17 postgresql-client-17 openssl)
# bumped when what this script makes changes, so that an older root is made again
layout="pgtls-trixie layout 2"

if [ "$(head -1 "$root/.pgtls-trixie" 2>/dev/null)" = "$layout" ] && [ -x "$root/usr/lib/postgresql/17/bin/postgres" ] && [ -x "$root/usr/lib/postgresql/17/bin/psql" ]; then
  echo "install-trixie: already in $root:"
  tail -n +2 "$root/.pgtls-trixie" | sed "s/^/  /"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-trixie: must run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || { echo "install-trixie: debootstrap not installed (apt-get install debootstrap)" >&2; exit 1; }
if command -v curl >/dev/null 2>&1 && ! curl -sfI --max-time 20 "$mirror/dists/trixie/Release" >/dev/null; then
  echo "install-trixie: $mirror/dists/trixie/Release is not reachable" >&2
  exit 1
fi

work="$root.partial"
# an interrupted debootstrap may leave /proc or /sys mounted inside: unmount before removing
if [ -d "$work" ]; then
  findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$work"
fi
mkdir -p "$(dirname "$root")"
echo "install-trixie: debootstrap trixie into $work"
debootstrap --variant=minbase --include=locales trixie "$work" "$mirror" >"$work.log" 2>&1 || {
  echo "install-trixie: debootstrap failed (last lines of $work.log):" >&2
  tail -5 "$work.log" >&2
  exit 1
}
# The packages' scripts must start no service.
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 755 "$work/usr/sbin/policy-rc.d"
echo "install-trixie: apt-get install ${packages[*]}"
chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$work.log" 2>&1 || {
  echo "install-trixie: apt-get install in the root failed (last lines of $work.log):" >&2
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
  chroot "$work" /usr/lib/postgresql/17/bin/postgres --version
  chroot "$work" /usr/lib/postgresql/17/bin/psql --version
  chroot "$work" openssl version
} >"$work/.pgtls-trixie"
rm -rf --one-file-system "$root" "$work.log"
mv "$work" "$root"
# Every directory on the way down must be enterable by postgres (and the root itself readable).
d="$root"
while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
echo "install-trixie: installed in $root ($(du -sh "$root" | cut -f1)):"
tail -n +2 "$root/.pgtls-trixie" | sed "s/^/  /"
