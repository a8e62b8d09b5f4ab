#!/usr/bin/env python3
"""The fleet console with 10,000 kiosks (docs/benchmarks.md, "Fleet console"): ca-platform-ref on loopback
with real TLS, seeded with KIOSKS simulated kiosks; headless Chromium with the admin's certificate loads
/admin/ RUNS times in one tab (the first in a fresh browser) and the page reports, from the navigation's
start, when its first frame with the whole fleet drawn came (body.dataset.renderedMs: the frame after
render()). Prints the median and the spread, and where the time went (the fleet's answer, its size).

    console_bench.py CA_PLATFORM_REF [KIOSKS=10000] [RUNS=7]
"""
import json, os, shutil, ssl, statistics, subprocess, sys, tempfile, time, urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "platform", "console"))
import browser  # noqa: E402

REF = sys.argv[1]
KIOSKS = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 7
missing = browser.have_tools()
if missing:
    sys.exit("console_bench: needs " + ", ".join(missing))

T = tempfile.mkdtemp(prefix="kiosk-console-bench-")
server = page = None
try:
    subprocess.run([REF, "--init", f"{T}/data"], check=True, capture_output=True)
    server = subprocess.Popen([REF, "--data", f"{T}/data", "--port", "0", "--dev"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env=browser.env_for(os.environ.get("HOME", "/")))
    origin = server.stdout.readline().split("serving ")[1].split(" ")[0].rsplit("/v1/", 1)[0]
    pki = f"{T}/data/pki"
    started = time.monotonic()
    ctx = ssl.create_default_context(cafile=f"{pki}/platform-ca.pem")
    ctx.load_cert_chain(f"{pki}/kiosk.pem", f"{pki}/kiosk.key")
    req = urllib.request.Request(f"{origin}/v1/dev/fleet/seed", data=json.dumps({"count": KIOSKS, "seed": 7}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=600) as r:
        seeded = r.read()
    print(f"seeded {len(json.loads(seeded)['kiosks'])} kiosks in {time.monotonic() - started:.1f} s")

    home, data = browser.make_profile(f"{T}/browser", origin, f"{pki}/admin.pem", f"{pki}/admin.key",
                                      f"{pki}/platform-ca.pem")
    page = browser.Browser(home, data, 1920, 1080)
    page.size(1920, 1080)
    rendered, fetched, sizes = [], [], []
    for run in range(RUNS):
        page.navigate(f"{origin}/admin/?run={run}#lang=zh-CN")
        page.wait_for(f"location.search === '?run={run}' && document.body && document.body.dataset.loaded", limit_s=120)
        if page.js("document.body.dataset.loaded") != "1":
            sys.exit("console_bench: the page did not load the fleet")
        rendered.append(int(page.js("document.body.dataset.renderedMs")))
        entry = page.js("performance.getEntriesByType('resource').filter(e => e.name.endsWith('/v1/admin/kiosks'))"
                        ".map(e => [e.responseEnd - e.startTime, e.encodedBodySize])[0]")
        fetched.append(entry[0])
        sizes.append(entry[1])
        rows = page.js("document.querySelectorAll('details.hall').length")
        print(f"run {run + 1}: rendered at {rendered[-1]} ms (GET admin/kiosks {entry[0]:.0f} ms, "
              f"{entry[1] / 1e6:.1f} MB; {rows} halls)")
    warm = rendered[1:] or rendered

    def spread(xs):
        return f"median {statistics.median(xs):.0f} ms, min {min(xs):.0f}, max {max(xs):.0f}"

    print(f"console_bench: {KIOSKS} kiosks, {RUNS} loads (the first in a fresh browser: {rendered[0]} ms)")
    print(f"  navigation start -> fleet rendered: {spread(warm)} (runs 2-{RUNS})")
    print(f"  of which GET /v1/admin/kiosks: {spread(fetched[1:] or fetched)}, {statistics.median(sizes) / 1e6:.1f} MB")
finally:
    if page:
        page.close()
    if server:
        server.terminate()
        server.wait()
    shutil.rmtree(T, ignore_errors=True)
