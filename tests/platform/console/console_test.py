#!/usr/bin/env python3
"""The fleet console in a real browser (docs/console.md): ca-platform-ref on loopback with real TLS, seeded
with 200 simulated kiosks (POST /v1/dev/fleet/seed); headless Chromium presents the admin's client
certificate (browser.py says how, without root) and loads /admin/; the rendered page is read over the
DevTools protocol and checked: the counts by state, the not-heard-from list, the filters and the search, a
kiosk's detail with its history, both languages, hostile names shown as text with no script run, the
decommissioning with a confirmation naming the kiosk (recorded with the admin's name); a kiosk's
certificate, no certificate, and a browser without the admin's certificate get nothing. Screenshots of the
overview and a kiosk's detail at 1920x1080 and 1366x768 go to SHOTS_DIR.

    console_test.py CA_PLATFORM_REF SHOTS_DIR
Exit 77 (skipped, said) without chromium, certutil/pk12util (libnss3-tools) or openssl.
"""
import collections, json, os, shutil, ssl, subprocess, sys, tempfile, urllib.error, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402

missing = browser.have_tools()
if missing:
    print("SKIPPED: no " + ", ".join(missing) + " (deploy/dev.sh installs chromium and libnss3-tools)")
    sys.exit(77)

REF, SHOTS = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="kiosk-console-")
failures = []


def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def start_platform(root):
    """ca-platform-ref --init, then --data --dev on a free loopback port. Returns (process, origin, pki)."""
    subprocess.run([REF, "--init", f"{root}/data"], check=True, capture_output=True)
    env = dict(os.environ)
    env.pop("KIOSK_CONTRACT_CAPTURE_DIR", None)
    proc = subprocess.Popen([REF, "--data", f"{root}/data", "--port", "0", "--dev"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    if "serving " not in line:
        proc.kill()
        raise RuntimeError("ca-platform-ref did not start: " + line)
    base = line.split("serving ")[1].split(" ")[0]
    return proc, base.rsplit("/v1/", 1)[0], f"{root}/data/pki"


def api(origin, pki, method, path, body=None, cert="admin"):
    """One call over mutual TLS with pki/<cert>.pem (None: no certificate). (status, headers, body bytes)."""
    ctx = ssl.create_default_context(cafile=f"{pki}/platform-ca.pem")
    if cert:
        ctx.load_cert_chain(f"{pki}/{cert}.pem", f"{pki}/{cert}.key")
    req = urllib.request.Request(origin + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Idempotency-Key": os.urandom(16).hex()})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


server = page = None
try:
    server, origin, pki = start_platform(T)
    status, _, body = api(origin, pki, "POST", "/v1/dev/fleet/seed", {"count": 200, "seed": 7}, cert="kiosk")
    check(f"the fleet seeded (HTTP {status})", status == 200)
    plan = json.loads(body)["kiosks"]
    expect = collections.Counter(k["expect"] for k in plan)
    check(f"the seed holds every state ({dict(expect)})", all(expect[l] > 0 for l in ("green", "amber", "red", "grey")))
    hostile_hall = next(k["hall"] for k in plan if "<script>" in k["hall"])
    hostile_id = next(k["kiosk_id"] for k in plan if "<img" in k["kiosk_id"])
    long_hall = max((k["hall"] for k in plan), key=len)

    # What the server sends an admin: the page with its policy; nothing to anyone else.
    status, headers, body = api(origin, pki, "GET", "/admin/")
    csp = headers.get("Content-Security-Policy", "")
    check(f"the page for the admin (HTTP {status})", status == 200 and b'src="console.js"' in body)
    check("its policy: only this origin's script and style, no framing, nothing inline",
          "script-src 'self'" in csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
          and "unsafe-inline" not in csp and "style-src 'self'" in csp)
    check("nosniff and no-store", headers.get("X-Content-Type-Options") == "nosniff"
          and headers.get("Cache-Control") == "no-store")
    check("no inline script in the page", b"<script>" not in body and b"onload" not in body)
    _, headers, _ = api(origin, pki, "GET", "/v1/admin/kiosks")
    check("the admin API: no-store", headers.get("Cache-Control") == "no-store")
    for cert in ("kiosk", None):
        for path in ("/admin/", "/admin/console.js", "/v1/admin/kiosks"):
            status, _, body = api(origin, pki, "GET", path, cert=cert)
            check(f"{cert or 'no'} certificate: {path} refused (HTTP {status})",
                  status == 403 and b"<html" not in body and b"TEXT" not in body)

    # The browser with the admin's certificate.
    home, data = browser.make_profile(f"{T}/admin-browser", origin, f"{pki}/admin.pem", f"{pki}/admin.key",
                                      f"{pki}/platform-ca.pem")
    page = browser.Browser(home, data)
    page.navigate(f"{origin}/admin/#lang=en")
    page.wait_for("document.body && document.body.dataset.loaded")
    check("the page loaded the fleet", page.js("document.body.dataset.loaded") == "1")
    rows = page.js("[...document.querySelectorAll('tr[data-level]')].map(e => [e.dataset.kiosk, e.dataset.level])")
    check(f"every kiosk has a row ({len(rows)} of {len(plan)})", len(rows) == len(plan))
    levels = dict(rows)
    wrong = [k["kiosk_id"] for k in plan if levels.get(k["kiosk_id"]) != k["expect"]]
    check(f"every kiosk in the state it was made in ({len(wrong)} not: {wrong[:5]})", not wrong)
    badges = page.js("Object.fromEntries([...document.querySelectorAll('[data-count]')].map(e => [e.dataset.count, e.textContent]))")
    for level in ("green", "amber", "red", "grey"):
        check(f"the summary: {level} {badges.get(level)}, seeded {expect[level]}", badges.get(level) == str(expect[level]))
    silent = {k["kiosk_id"] for k in plan if k["silent"]}
    listed = set(page.js("[...document.querySelectorAll('#silent-list li[data-kiosk]')].map(e => e.dataset.kiosk)"))
    check(f"the not-heard-from list ({len(listed)} listed, {len(silent)} seeded silent)", listed == silent)
    reasons = page.js("[...document.querySelectorAll('tr.amber .reason, tr.red .reason')].map(e => e.textContent).join('|')")
    for phrase in ("not heard from", "never heard from", "out of service", "drivers down", "configuration rolled back",
                   "configuration waiting", "messages undelivered", "business waiting", "older software (0.9.1)"):
        check(f"a reason says '{phrase}'", phrase in reasons)
    versions = page.js("[...document.querySelectorAll('#chart-versions [data-version-count]')].map(e => e.dataset.versionCount)")
    check(f"the configuration versions' chart: {versions}", set(versions) >= {"v43", "v42", "v41"})
    hall_rows = page.js("document.querySelectorAll('#chart-heard svg rect').length")
    check(f"the 24-hour chart: {hall_rows} columns", hall_rows >= 24 * 9)

    # Hostile names: shown as text, no element made from them, no script run.
    check("one script element, console.js", page.js(
        "[...document.scripts].map(s => s.getAttribute('src')).join(',')") == "console.js")
    check("no img, iframe or object anywhere", page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0)
    hall_text = page.js("[...document.querySelectorAll('details.hall')].filter(e => e.dataset.hall === %s)"
                        ".map(e => e.querySelector('.hall-name').textContent)[0]" % json.dumps(hostile_hall))
    check("the hall named with <script> and quotes shows as that text", hall_text == f" {hostile_hall} ")
    id_text = page.js("[...document.querySelectorAll('tr[data-kiosk]')].filter(e => e.dataset.kiosk === %s)"
                      ".map(e => e.querySelector('a').textContent)[0]" % json.dumps(hostile_id))
    check("the kiosk id with markup shows as text", id_text == hostile_id)
    check("the very long Chinese hall name is there whole",
          page.js("[...document.querySelectorAll('details.hall')].some(e => e.dataset.hall === %s)" % json.dumps(long_hall)))

    def show(fragment):
        """Sets the page's address fragment (what the filter controls write) and waits for the redraw."""
        page.js("new Promise(r => { addEventListener('hashchange', () => setTimeout(r, 0), {once: true}); "
                "location.hash = %s; })" % json.dumps(fragment))

    show("lang=en&state=red")
    shown = page.js("[...document.querySelectorAll('tr[data-level]')].map(e => e.dataset.level)")
    check(f"the red filter: {len(shown)} rows, all red", shown and set(shown) == {"red"} and len(shown) == expect["red"])
    show("lang=en&hall=H1")
    halls = page.js("[...document.querySelectorAll('details.hall')].map(e => e.dataset.hall)")
    n_h1 = page.js("document.querySelectorAll('tr[data-kiosk]').length")
    check(f"the hall filter: only H1 ({n_h1} kiosks)", halls == ["H1"] and n_h1 == sum(k["hall"] == "H1" for k in plan))
    _, _, body = api(origin, pki, "GET", "/v1/admin/kiosks")
    old = {k["kiosk_id"] for k in json.loads(body)["kiosks"] if (k.get("last_heartbeat") or {}).get("software_version") == "0.9.1"}
    show("lang=en&version=0.9.1")
    got = set(page.js("[...document.querySelectorAll('tr[data-kiosk]')].map(e => e.dataset.kiosk)"))
    check(f"the version filter: the {len(old)} kiosks on 0.9.1", got == old and len(old) > 0)
    show("lang=en&q=sim-0001")
    got = set(page.js("[...document.querySelectorAll('tr[data-kiosk]')].map(e => e.dataset.kiosk)"))
    check(f"the search by id: {sorted(got)}", got == {k["kiosk_id"] for k in plan if "SIM-0001" in k["kiosk_id"]})

    one = next(k for k in plan if k["expect"] == "red" and k["silent"] and k["kiosk_id"].startswith("SIM-0"))
    show("lang=en&kiosk=" + urllib.parse.quote(one["kiosk_id"]))
    page.wait_for("document.getElementById('detail').dataset.history")
    check("a kiosk's detail opens", one["kiosk_id"] in page.js("document.getElementById('detail-title').textContent"))
    check("its detail says why it is red", "not heard from" in page.js("document.getElementById('detail-reasons').textContent"))
    beats = page.js("document.querySelectorAll('#detail-beats tbody tr').length")
    check(f"its recent heartbeats ({beats})", beats == 8)
    check("its health items", page.js("document.querySelectorAll('#detail-health li').length") == 4)
    check("its configuration history", page.js("document.querySelectorAll('#detail-config li').length") >= 1)

    show("lang=zh-CN")
    check("the page in Chinese", page.js("document.querySelector('h1').textContent") == "终端管理台"
          and "共 200 台" in page.js("document.getElementById('summary-text').textContent"))

    # Screenshots, then the one action that changes a kiosk: decommissioning, confirmed by name.
    os.makedirs(SHOTS, exist_ok=True)
    detail = next(k for k in plan if k["expect"] == "amber" and k["kiosk_id"].startswith("SIM-0"))
    for w, h in ((1920, 1080), (1366, 768)):
        page.size(w, h)
        show("lang=zh-CN&x=" + str(w))
        page.screenshot(f"{SHOTS}/console-overview-{w}x{h}.png")
        show(f"lang=zh-CN&kiosk={urllib.parse.quote(detail['kiosk_id'])}")
        page.wait_for("document.getElementById('detail').dataset.history")
        page.screenshot(f"{SHOTS}/console-detail-{w}x{h}.png")
    print("screenshots in", SHOTS)

    check("no dialog opened by any name in the fleet", page.dialogs == [])
    victim = next(k["kiosk_id"] for k in plan if k["expect"] == "green" and k["kiosk_id"].startswith("SIM-0"))
    show(f"lang=en&kiosk={victim}")
    page.js("document.getElementById('decommission').click()")
    check(f"the confirmation names the kiosk: {page.dialogs}", len(page.dialogs) == 1 and victim in page.dialogs[0])
    page.wait_for("(document.querySelector('tr[data-kiosk=\"%s\"]') || {dataset: {}}).dataset.level === 'grey'" % victim)
    _, _, body = api(origin, pki, "GET", "/v1/admin/audit")
    last = json.loads(body)["entries"][0]
    check(f"decommissioned through the admin API, recorded with the admin: {last['action']} by {last['admin']}",
          last["action"] == "kiosk.decommission" and last["target"] == victim and "CN=dev-admin" in last["admin"])
    page.close()
    page = None

    # A browser without the admin's certificate (the platform's CA trusted, so only the certificate differs).
    home, data = browser.make_profile(f"{T}/bare-browser", origin, ca_pem=f"{pki}/platform-ca.pem")
    dom = browser.dump_dom(f"{origin}/admin/", home, data)
    check("a browser without the admin's certificate gets no console",
          "console.js" not in dom and "auth.admin_required" not in dom and "kiosk.certificate_untrusted" in dom)
finally:
    if page:
        page.close()
    if server:
        server.terminate()
        server.wait()
    shutil.rmtree(T, ignore_errors=True)

if failures:
    print(f"console_test: {len(failures)} failed")
    sys.exit(1)
print("console_test: passed")
