#!/bin/sh
# Render every printed form in a real headless browser and check that it fits A4:
#   1. laid out at the printable width of its A4 page, no table, cell or line sticks out
#      past the page and no cell's content overflows it (a cut-off column);
#   2. printed to PDF by the browser, every page is A4;
#   3. the first page of each PDF is rendered to a PNG for a person to look at.
#
# usage: scripts/check_forms.sh [STORE [DATE [OUT]]]
#   STORE  a store with records (default: a fresh demo office, built in a temp folder)
#   DATE   the day the registers are filled for (default: the demo's busiest day)
#   OUT    where the HTML, PDF and PNG files go (default: out/forms)
# Needs chromium (or $SALESOPS_CHROMIUM) and pdfinfo/pdftoppm (poppler-utils).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$here/.venv/bin}
SALESOPS="$BIN/salesops"
PY="$BIN/python"
OUT=${3:-out/forms}
BROWSER=${SALESOPS_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}

if [ -z "$BROWSER" ]; then
  echo "check_forms: no chromium found (apt-get install chromium, or set SALESOPS_CHROMIUM)" >&2
  exit 2
fi
for tool in pdfinfo pdftoppm; do
  command -v $tool >/dev/null || { echo "check_forms: $tool missing (apt-get install poppler-utils)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ $# -ge 1 ]; then
  STORE=$1
else
  STORE=$tmp/demo
  "$SALESOPS" demo "$STORE" --weeks 1 >/dev/null
fi
DATE=${2:-$("$PY" - "$STORE" <<'PYEOF'
import sys
from collections import Counter
from salesops.store import Store
st = Store.open(sys.argv[1]).state()
days = Counter(st.local_date(e.at) for e in st.events if e.kind in ("call", "visit", "tour_start"))
print(days.most_common(1)[0][0] if days else "2026-01-05")
PYEOF
)}
COMPLAINT=$("$PY" - "$STORE" <<'PYEOF'
import sys
from salesops.store import Store
st = Store.open(sys.argv[1]).state()
opened = [e for e in st.events if e.kind == "complaint_open"]
steps = {e.complaint: e.kind for e in st.events if e.kind.startswith("complaint_") and hasattr(e, "complaint")}
best = sorted(opened, key=lambda e: (steps.get(e.id) != "complaint_close", e.at))
print(best[0].id if best else "")
PYEOF
)

# Printable width of A4 at 96 px per inch, less the forms' 9 mm margins.
LANDSCAPE=1054   # (297 - 18) mm
PORTRAIT=725     # (210 - 18) mm

CHECK_JS='<style>@media screen{body{background:#fff!important;margin:0!important}.page{margin:0!important;padding:0!important;max-width:none!important;box-shadow:none!important}}</style>
<script>
(function () {
  var W = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll("table, th, td, p, .sign, .form-head, .legend, h1, h2").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > W + 1) bad.push(el.tagName + " ends at " + Math.round(r.right) + "px, page is " + W + "px");
    if ((el.tagName === "TD" || el.tagName === "TH") && el.scrollWidth > el.clientWidth + 2)
      bad.push(el.tagName + " content overflows: " + el.textContent.trim().slice(0, 30));
  });
  var out = document.createElement("pre");
  out.id = "formcheck";
  out.textContent = bad.length ? "FORMCHECK FAIL\n" + bad.join("\n") : "FORMCHECK OK";
  document.body.appendChild(out);
})();
</script>'

browser() {  # browser PROFILE ARGS...
  profile=$1; shift
  "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --no-first-run --disable-dev-shm-usage --user-data-dir="$tmp/profile-$profile" "$@" 2>/dev/null
}

check() {  # check NAME FILE-STEM [form arguments...]: one line, "ok ..." or "FAIL ..."
  name=$1; stem=$2; shift 2
  html=$OUT/$stem.html
  pdf=$OUT/$stem.pdf
  "$SALESOPS" --store "$STORE" form "$name" "$@" -o "$html" >/dev/null
  if grep -q "size: A4 portrait" "$html"; then width=$PORTRAIT; pw=595; else width=$LANDSCAPE; pw=842; fi
  # 1. layout at the printable width
  # (what follows </html> is parsed into the body: the check runs after the whole form)
  { cat "$html"; printf '%s\n' "$CHECK_JS"; } > "$tmp/$stem.check.html"
  verdict=$(browser "$stem" --window-size=$width,1400 --dump-dom "file://$tmp/$stem.check.html" \
    | sed -n '/<pre id="formcheck">/,/<\/pre>/p' | sed 's/<[^>]*>//g')
  # 2. print to PDF: every page A4 in the form's orientation
  browser "$stem" --no-pdf-header-footer --print-to-pdf-no-header --print-to-pdf="$pdf" "file://$html" || true
  pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  sizes=$(pdfinfo -f 1 -l "${pages:-1}" "$pdf" 2>/dev/null | awk '/^Page .*size:/ {printf "%d ", $4 + 0.5}')
  # 3. a picture of page 1
  pdftoppm -f 1 -l 1 -r 60 -png "$pdf" "$OUT/$stem" 2>/dev/null || true
  problem=""
  case "$verdict" in *"FORMCHECK OK"*) ;; *) problem="layout: $verdict" ;; esac
  [ -n "$pages" ] && [ "$pages" -ge 1 ] || problem="$problem no PDF"
  for w in $sizes; do [ "$w" -eq "$pw" ] || problem="$problem page width ${w}pt is not A4 (${pw}pt)"; done
  if [ -n "$problem" ]; then
    printf 'FAIL  %-28s %s\n' "$stem" "$problem"
  else
    printf 'ok    %-28s %s page(s), %s\n' "$stem" "$pages" "$([ $pw -eq 842 ] && echo landscape || echo portrait)"
  fi
}

# Every check in parallel (each browser with a profile of its own), reported in order.
n=0
run() { n=$((n + 1)); check "$@" > "$tmp/result.$n" 2>&1 & }
for name in call-register visit-register helmet-log unit-board; do
  run "$name" "$name" --date "$DATE"
  run "$name" "$name-blank" --blank
done
run survey survey
run complaint complaint-blank --blank
if [ -n "$COMPLAINT" ]; then run complaint complaint "$COMPLAINT"; fi
# English forms lay out differently: check them too
run call-register call-register-en --date "$DATE" --lang en
run complaint complaint-en-blank --blank --lang en
run unit-board unit-board-en --date "$DATE" --lang en
wait

failed=0
i=1
while [ $i -le $n ]; do
  cat "$tmp/result.$i"
  grep -q '^ok ' "$tmp/result.$i" || failed=1
  i=$((i + 1))
done
echo "forms, PDFs and page pictures in $OUT (store $STORE, day $DATE)"
exit $failed
