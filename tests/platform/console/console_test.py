#!/usr/bin/env python3
"""The fleet console in a real browser (docs/fleet.md, "The console"): headless Chromium with an admin's
client certificate loads /admin/ from a reference platform seeded with 200 simulated kiosks in several
states; the rendered DOM is read (--dump-dom) and checked: the counts by state, the not-heard-from list,
the filters, a kiosk's detail, hostile names shown as text; a browser without the admin certificate gets
nothing. Screenshots at 1920x1080 and 1366x768 go to $KIOSK_CONSOLE_SHOTS when set.

    console_test.py CA_PLATFORM_REF
Exit 77 (skipped, said) without chromium, certutil/pk12util (libnss3-tools) or root (the auto-selection of
the client certificate is a Chromium policy, which it reads only from /etc/chromium/policies).
"""
import html.parser, json, os, shutil, ssl, subprocess, sys, tempfile, urllib.parse, urllib.request

def skip(why):
    print("SKIPPED:", why)
    sys.exit(77)

REF = sys.argv[1]
for tool in ("chromium", "certutil", "pk12util", "openssl"):
    if not shutil.which(tool):
        skip(f"no {tool} (deploy/dev.sh installs it)")
if os.geteuid() != 0:
    skip("needs root: Chromium reads the certificate-selection policy only from /etc/chromium/policies")

T = tempfile.mkdtemp(prefix="kiosk-console-")
POLICY_DIR = "/etc/chromium/policies/managed"
POLICY = os.path.join(POLICY_DIR, f"ca-kiosk-console-test-{os.getpid()}.json")
server = None
failures = []

def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)

def cleanup():
    if server:
        server.terminate()
        server.wait()
    if os.path.exists(POLICY):
        os.remove(POLICY)
    shutil.rmtree(T, ignore_errors=True)

class Dom(html.parser.HTMLParser):
    """The rendered page: elements with their attributes and the text inside each id'd element."""
    def __init__(self, text):
        super().__init__()
        self.elements, self.stack, self.text = [], [], {}
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        a["_tag"] = tag
        a["_text"] = ""
        self.elements.append(a)
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append(a)
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["_tag"] == tag:
                break
    def handle_data(self, data):
        for a in self.stack:
            a["_text"] += data
    def all(self, **want):
        return [e for e in self.elements if all(e.get(k) == v for k, v in want.items())]
    def by_id(self, i):
        found = self.all(id=i)
        return found[0] if found else None

try:
    port = 20000 + os.getpid() % 20000
    subprocess.run([REF, "--init", f"{T}/data", "--port", str(port)], check=True, capture_output=True)
    pki = f"{T}/data/pki"
    server = subprocess.Popen([REF, "--data", f"{T}/data", "--port", str(port), "--dev"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = server.stdout.readline().split("serving ")[1].split(" ")[0].rstrip("/")
    origin = base.rsplit("/v1", 1)[0]

    def client(cert, key):
        ctx = ssl.create_default_context(cafile=f"{pki}/platform-ca.pem")
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx

    def call(method, path, body=None, cert="kiosk"):
        ctx = client(f"{pki}/{cert}.pem", f"{pki}/{cert}.key") if cert else client(None, None)
        req = urllib.request.Request(origin + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Idempotency-Key": os.urandom(16).hex()})
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    # 200 simulated kiosks; the seed says which state each was made in.
    status, body = call("POST", "/v1/dev/fleet/seed", {"count": 200, "seed": 7})
    check(f"the fleet seeded (HTTP {status})", status == 200)
    plan = json.loads(body)["kiosks"]
    expect = {}
    for k in plan:
        expect[k["expect"]] = expect.get(k["expect"], 0) + 1
    hostile_hall = next(k["hall"] for k in plan if "<script>" in k["hall"])
    hostile_id = next(k["kiosk_id"] for k in plan if '"' in k["kiosk_id"] or "<" in k["kiosk_id"])
    long_hall = max((k["hall"] for k in plan), key=len)

    # The browser: the admin's certificate in its NSS database, the platform CA trusted, and the policy
    # that picks the certificate for this origin without asking.
    home = f"{T}/home"
    nss = f"{home}/.pki/nssdb"
    os.makedirs(nss)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-in", f"{pki}/admin.pem", "-inkey", f"{pki}/admin.key",
                    "-out", f"{T}/admin.p12", "-passout", "pass:", "-name", "admin"], check=True)
    subprocess.run(["pk12util", "-i", f"{T}/admin.p12", "-d", f"sql:{nss}", "-W", ""], check=True,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-n", "platform-ca", "-t", "C,,", "-i", f"{pki}/platform-ca.pem",
                    "-d", f"sql:{nss}"], check=True)
    os.makedirs(POLICY_DIR, exist_ok=True)
    with open(POLICY, "w") as f:
        json.dump({"AutoSelectCertificateForUrls": [json.dumps({"pattern": origin, "filter": {}})]}, f)

    def chromium(url, *extra, profile="profile", env_home=home):
        env = dict(os.environ, HOME=env_home)
        return subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                               f"--user-data-dir={T}/{profile}", "--virtual-time-budget=15000", *extra, url],
                              capture_output=True, text=True, env=env, timeout=120)

    def page(fragment):
        out = chromium(f"{origin}/admin/#{fragment}", "--dump-dom").stdout
        return Dom(out), out

    dom, raw = page("lang=en")
    check("the page loaded its data", dom.all(_tag="body") and dom.all(_tag="body")[0].get("data-loaded") == "1")
    rows = dom.all(_tag="tr", **{"data-level": "green"}) + dom.all(_tag="tr", **{"data-level": "amber"}) + \
        dom.all(_tag="tr", **{"data-level": "red"}) + dom.all(_tag="tr", **{"data-level": "grey"})
    check(f"every kiosk has a row ({len(rows)} of {len(plan)})", len(rows) == len(plan))
    for level in ("green", "amber", "red", "grey"):
        got = len(dom.all(_tag="tr", **{"data-level": level}))
        check(f"{level}: {got} kiosks, seeded {expect.get(level, 0)}", got == expect.get(level, 0))
        badge = dom.all(_tag="span", **{"data-count": level})
        check(f"the summary's {level} count", badge and badge[0]["_text"] == str(expect.get(level, 0)))
    silent_ids = {k["kiosk_id"] for k in plan if k.get("silent")}
    listed = {e["data-kiosk"] for e in dom.all(_tag="li") if "data-kiosk" in e}
    check(f"the not-heard-from list ({len(listed)} listed, {len(silent_ids)} seeded silent)", listed == silent_ids)
    # Hostile names are text: no element but the page's own script, and the text as it was.
    scripts = dom.all(_tag="script")
    check("no script element but console.js", len(scripts) == 1 and scripts[0].get("src") == "console.js")
    check("no element made from a name (img, iframe, svg script)", not dom.all(_tag="img") and not dom.all(_tag="iframe"))
    halls = [e for e in dom.all(_tag="section") if e.get("data-hall") == hostile_hall]
    check("the hall named with <script> and quotes shows as that text", len(halls) == 1 and hostile_hall in halls[0]["_text"])
    check("the kiosk id with markup in it shows as text", any(e.get("data-kiosk") == hostile_id for e in dom.all(_tag="tr")))
    check("the very long Chinese hall name is there whole", any(e.get("data-hall") == long_hall for e in dom.all(_tag="section")))

    # Filters, by the page's address (what the filter controls write).
    dom, _ = page("lang=en&state=red")
    levels = {e["data-level"] for e in dom.all(_tag="tr") if "data-level" in e}
    check(f"the red filter shows only red ({len(dom.all(_tag='tr', **{'data-level': 'red'}))})", levels == {"red"})
    a_hall = sorted({k["hall"] for k in plan if k["hall"].startswith("H")})[0]
    dom, _ = page("lang=en&hall=" + urllib.parse.quote(a_hall))
    shown = {e["data-hall"] for e in dom.all(_tag="section") if "data-hall" in e}
    check(f"the hall filter shows only {a_hall}", shown == {a_hall})
    one = next(k for k in plan if k["expect"] == "red" and k.get("silent"))
    dom, _ = page("lang=en&q=" + urllib.parse.quote(one["kiosk_id"]))
    check("the search finds the one kiosk", [e["data-kiosk"] for e in dom.all(_tag="tr") if "data-kiosk" in e] == [one["kiosk_id"]])
    dom, _ = page("lang=en&kiosk=" + urllib.parse.quote(one["kiosk_id"]))
    title = dom.by_id("detail-title")
    check("a kiosk's detail opens", title is not None and one["kiosk_id"] in title["_text"])
    check("its detail says why it is red", "not heard from" in (dom.by_id("detail-reasons") or {}).get("_text", ""))
    dom, _ = page("lang=zh-CN")
    check("the page in Chinese", "终端管理台" in (dom.all(_tag="h1") or [{"_text": ""}])[0]["_text"])

    # Nothing without the admin's certificate: no certificate at all, or a kiosk's.
    status, _ = call("GET", "/admin/", cert="kiosk")
    check(f"a kiosk's certificate gets no page (HTTP {status})", status == 403)
    status, _ = call("GET", "/v1/admin/kiosks", cert="kiosk")
    check(f"a kiosk's certificate gets no fleet data (HTTP {status})", status == 403)
    status, body = call("GET", "/admin/", cert=None)
    check(f"no certificate gets no page (HTTP {status})", status == 403 and b"<html" not in body)
    bare = chromium(f"{origin}/admin/", "--dump-dom", profile="bare", env_home=f"{T}/bare-home")
    check("a browser without the admin certificate gets no console", "console.js" not in bare.stdout)

    shots = os.environ.get("KIOSK_CONSOLE_SHOTS")
    if shots:
        os.makedirs(shots, exist_ok=True)
        for w, h in ((1920, 1080), (1366, 768)):
            chromium(f"{origin}/admin/#lang=zh-CN", f"--window-size={w},{h}", f"--screenshot={shots}/overview-{w}x{h}.png")
            chromium(f"{origin}/admin/#lang=zh-CN&kiosk=" + urllib.parse.quote(one["kiosk_id"]),
                     f"--window-size={w},{h}", f"--screenshot={shots}/detail-{w}x{h}.png")
        print("screenshots in", shots)
finally:
    cleanup()

if failures:
    print(f"console_test: {len(failures)} failed")
    sys.exit(1)
print("console_test: passed")
