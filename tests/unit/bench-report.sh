# desc: the bench report turns a guest's results into a table and valid JSON
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A real guest's results (6.1, make bench), kept as the fixture.
cp "$top/tests/unit/fixtures/bench.results" "$tmp/k.results"
python3 "$top/bench/report.py" --out "$tmp/r.json" --wall 1 "$tmp/k.results" >"$tmp/table"
for want in "Kernel entries on isolated CPU 2" "ratio (b)/(a)" "Scale:" \
	"Cost to everyone else" "enter isolation" "Load generator"; do
	grep -qF "$want" "$tmp/table" || { echo "table lacks: $want"; exit 1; }
done
python3 - "$tmp/r.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
(k,) = doc["kernels"].values()
assert k["info"]["cpus"] == 4, k["info"]
for part in ("quiet.idle.a", "quiet.idle.b", "quiet.busy.a", "quiet.busy.b",
             "scale", "micro", "latency", "load.busy"):
    assert part in k, part
assert "module" in k["quiet.busy.b"]["cpus"][0]
PY
# A guest that never finished is refused.
grep -v end-of-bench "$tmp/k.results" >"$tmp/cut.results"
if python3 "$top/bench/report.py" --out "$tmp/r2.json" "$tmp/cut.results" >/dev/null 2>&1; then
	echo "an unfinished run was accepted"
	exit 1
fi
