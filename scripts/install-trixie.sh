#!/usr/bin/env bash
# Debian 13 "trixie"'s PostgreSQL 17 root (/var/cache/pgtls/trixie): a thin caller of
# scripts/install-debian-root.sh, kept for the commands that name it.
exec bash "$(dirname "$0")/install-debian-root.sh" trixie 17 "$@"
