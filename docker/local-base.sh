#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's runtime base image (eclipse-temurin:17-jre) from
# Debian packages, for machines that cannot pull from Docker Hub: a `debootstrap --variant=minbase`
# of bookworm from this machine's configured Debian mirror with openjdk-17-jre-headless, turned
# into an image with `docker import`. An image that already exists is not built again.
#
#   docker/local-base.sh                 # build what is missing; prints the image name
#   docker/local-base.sh --rebuild       # build it again even if it exists
#
# Then build the onebyte image with the jar built on the host (no Maven stage, no Docker Hub):
#   docker/build-image.sh                # = this script + host jar + docker build
#
# Settings (environment):
#   ONEBYTE_BASE_IMAGE     name of the image (default onebyte-local/jre:17-bookworm)
#   ONEBYTE_DEBIAN_MIRROR  Debian mirror (default: the first .../debian URI of the apt sources,
#                          else http://deb.debian.org/debian)
# Needs root (debootstrap), debootstrap and a Docker engine.
set -euo pipefail

image="${ONEBYTE_BASE_IMAGE:-onebyte-local/jre:17-bookworm}"
suite=bookworm
rebuild=0
case "${1:-}" in
  "") ;;
  --rebuild) rebuild=1 ;;
  -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
  *) echo "local-base.sh: unknown argument '$1' (expected --rebuild or nothing)" >&2; exit 2 ;;
esac

if [ "$rebuild" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "local-base.sh: $image exists; not rebuilt (--rebuild to force)" >&2
  echo "$image"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "local-base.sh: needs debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "local-base.sh: debootstrap needs root" >&2; exit 1; }

# The machine's Debian mirror: deb822 "URIs:" lines and one-line "deb URI suite ..." entries.
mirror="${ONEBYTE_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i } $1 == "deb" { print ($2 ~ /^\[/ ? $3 : $2) }' \
    | grep -E '/debian/?$' | head -n 1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

root="$(mktemp -d /tmp/onebyte-base.XXXXXX)"
cleanup() {
  # debootstrap mounts /proc and /sys inside the target while it works; never delete through a mount
  for m in proc sys dev/pts; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

start=$SECONDS
echo "local-base.sh: debootstrap $suite from $mirror into $root ..." >&2
debootstrap --variant=minbase --include=openjdk-17-jre-headless "$suite" "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# Smaller image: no package caches, lists, docs or man pages (the JRE's legal files stay).
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/var/log/* "$root"/tmp/* "$root"/var/cache/debconf/*-old
java_home="$(dirname "$(dirname "$(chroot "$root" readlink -f /usr/bin/java)")")"
echo "local-base.sh: importing as $image (JAVA_HOME $java_home) ..." >&2
tar -C "$root" --numeric-owner --one-file-system -c . | docker import \
  --change "ENV JAVA_HOME=$java_home" \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --message "debootstrap --variant=minbase $suite ($mirror) + openjdk-17-jre-headless" \
  - "$image" >/dev/null
echo "local-base.sh: $image built in $((SECONDS - start)) s, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')" >&2
echo "$image"
