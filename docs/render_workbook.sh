#!/usr/bin/env bash
# Render the recruiter workbook as a user sees it: chaingraph report -> LibreOffice (headless) -> PDF -> PNG.
# Needs Debian's libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk:
#   apt-get install -y libreoffice-calc-nogui poppler-utils fonts-noto-cjk
# Usage: bash docs/render_workbook.sh [OUT_DIR]   (writes OUT_DIR/page-N.png and refreshes docs/workbook.png)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$(mktemp -d)}"
PY="${PYTHON:-python3}"
mkdir -p "$OUT"
"$PY" -m chaingraph report "$ROOT/datasets/jiashan" -o "$OUT/report.xlsx" --lang zh --silent
soffice --headless --norestore --convert-to pdf --outdir "$OUT" "$OUT/report.xlsx" >/dev/null
pdftoppm -png -r 110 "$OUT/report.pdf" "$OUT/page"
pdftoppm -png -r 150 -f 1 -l 1 -x 60 -y 120 -W 1700 -H 950 "$OUT/report.pdf" "$OUT/top"
first="$(ls "$OUT"/top-*.png | head -1)"
cp "$first" "$ROOT/docs/workbook.png"
echo "pages in $OUT; first page copied to docs/workbook.png"
