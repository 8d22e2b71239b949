#!/usr/bin/env bash
# Builds the onebyte image without Docker Hub: the runtime base from Debian packages
# (docker/local-base.sh), the jar built on the host, then docker/Dockerfile with PREBUILT=1 (its
# build stage copies docker/dist/ instead of running Maven). Run from anywhere; needs root (for
# the base image's debootstrap, the first time), a JDK (javac, jar) and a Docker engine.
#
#   docker/build-image.sh                          # the shaded jar (built with Maven when missing)
#   docker/build-image.sh --tag onebyte:dev
#   docker/build-image.sh --classpath CP           # a thin jar over CP (jars and class directories,
#                                                  # e.g. a test class path) instead of the shaded jar
#
# Options:
#   --tag NAME        image name (default onebyte:latest, what docker/compose.yml runs)
#   --jar FILE        the runnable jar (default coordinator/target/onebyte.jar)
#   --classpath CP    ':'-separated jars and class directories: they go to /opt/onebyte/lib/ and
#                     /opt/onebyte/onebyte.jar is a jar whose manifest names them (Class-Path)
#   --base IMAGE      runtime base image (default: the one docker/local-base.sh builds)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tag=onebyte:latest
jar="$repo/coordinator/target/onebyte.jar"
classpath=""
base=""
die() { echo "build-image.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || die "--tag needs a value"; tag="$2"; shift 2 ;;
    --jar) [ $# -ge 2 ] || die "--jar needs a value"; jar="$2"; shift 2 ;;
    --classpath) [ $# -ge 2 ] || die "--classpath needs a value"; classpath="$2"; shift 2 ;;
    --base) [ $# -ge 2 ] || die "--base needs a value"; base="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
command -v javac >/dev/null && command -v jar >/dev/null || die "needs a JDK (javac and jar on PATH)"

start=$SECONDS
[ -n "$base" ] || base="$("$repo/docker/local-base.sh" | tail -n 1)"

dist="$repo/docker/dist"
rm -rf "$dist"
trap 'rm -rf "$dist"' EXIT
mkdir -p "$dist/warmup"
if [ -n "$classpath" ]; then
  # One entry per class path element, in order: jars hard-linked (copied across filesystems),
  # class directories copied; the manifest's Class-Path names them relative to onebyte.jar.
  mkdir -p "$dist/lib"
  entries=()
  i=0
  IFS=: read -r -a elements <<<"$classpath"
  for e in "${elements[@]}"; do
    [ -n "$e" ] && [ -e "$e" ] || continue
    i=$((i + 1))
    if [ -d "$e" ]; then
      name="$(printf 'classes-%03d' "$i")"
      cp -r "$e" "$dist/lib/$name"
      entries+=("lib/$name/")
    else
      name="$(printf '%03d-%s' "$i" "$(basename "$e")")"
      ln "$e" "$dist/lib/$name" 2>/dev/null || cp "$e" "$dist/lib/$name"
      entries+=("lib/$name")
    fi
  done
  [ "$i" -gt 0 ] || die "--classpath names nothing that exists"
  # Manifest lines are at most 72 bytes; longer values continue on lines that start with a space.
  { echo "Main-Class: onebyte.coordinator.cli.OnebyteCommand"
    printf 'Class-Path: %s\n' "${entries[*]}" | awk '{ print substr($0, 1, 72); for (i = 73; i <= length($0); i += 71) print " " substr($0, i, 71) }'
  } >"$dist/MANIFEST.MF"
  jar --create --file "$dist/onebyte.jar" --manifest "$dist/MANIFEST.MF"
  rm "$dist/MANIFEST.MF"
  warmup_cp="$classpath"
else
  if [ ! -s "$jar" ]; then
    echo "build-image.sh: building $jar ..." >&2
    (cd "$repo" && mvn -B -q -DskipTests -pl coordinator -am package)
  fi
  [ -s "$jar" ] || die "no jar at $jar"
  ln "$jar" "$dist/onebyte.jar" 2>/dev/null || cp "$jar" "$dist/onebyte.jar"
  warmup_cp="$jar"
fi
javac --release 17 -cp "$warmup_cp" -d "$dist/warmup" "$repo/docker/NativeWarmup.java"

echo "build-image.sh: docker build $tag on $base ($(du -sh "$dist" | cut -f1) from docker/dist) ..." >&2
old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
docker build -q -f "$repo/docker/Dockerfile" -t "$tag" \
  --build-arg BUILD_IMAGE="$base" --build-arg RUNTIME_IMAGE="$base" --build-arg PREBUILT=1 "$repo" >/dev/null
# the legacy builder keeps the build stage as an untagged image (the jar once more): drop it
docker image prune -f --filter label=onebyte.stage=build >/dev/null
# and the image the tag named before, unless a container still uses it
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
echo "build-image.sh: $tag built in $((SECONDS - start)) s, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')" >&2
echo "$tag"
