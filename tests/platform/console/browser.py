"""Headless Chromium for the console's test and benchmark (docs/console.md): a browser whose profile
presents a client certificate to one origin without asking, driven over the DevTools protocol on a pipe.

The certificate: an NSS database in a private HOME ($HOME/.pki/nssdb, where Chromium on Linux looks) holds
it and trusts the platform's CA. Chromium shows a chooser whenever a server asks for a certificate, unless
the content setting auto_select_certificate names the origin; it is usually set by the
AutoSelectCertificateForUrls policy, which Chromium reads only from /etc/chromium/policies (root). The same
content setting is also read from the profile's own Preferences file, so the test writes it there, in its
own --user-data-dir: no root, nothing outside the temporary directory.

The protocol: --remote-debugging-pipe, JSON messages ending in NUL on file descriptors 3 (to the browser)
and 4 (from it). Python's standard library is enough; no websocket, no port to find.
"""
import base64, fcntl, json, os, shutil, subprocess, time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-default-apps",
         "--password-store=basic", "--hide-scrollbars", "--mute-audio"]


def make_profile(root, origin, cert_pem=None, key_pem=None, ca_pem=None):
    """A HOME and a user-data-dir under `root`: the NSS database with the CA trusted and, when given, the
    client certificate, and the preference that picks it for `origin`. Returns (home, user_data_dir)."""
    home, data = os.path.join(root, "home"), os.path.join(root, "chromium")
    nss = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nss)
    os.makedirs(os.path.join(data, "Default"))
    db = "sql:" + nss
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True, capture_output=True)
    if ca_pem:
        subprocess.run(["certutil", "-A", "-n", "platform-ca", "-t", "C,,", "-i", ca_pem, "-d", db],
                       check=True, capture_output=True)
    if cert_pem:
        p12 = os.path.join(root, "client.p12")
        subprocess.run(["openssl", "pkcs12", "-export", "-in", cert_pem, "-inkey", key_pem, "-out", p12,
                        "-passout", "pass:", "-name", "client"], check=True, capture_output=True)
        subprocess.run(["pk12util", "-i", p12, "-d", db, "-W", ""], check=True, capture_output=True)
        os.remove(p12)
        prefs = {"profile": {"content_settings": {"exceptions": {"auto_select_certificate": {
            origin + ",*": {"last_modified": "13300000000000000", "setting": {"filters": [{}]}}}}}}}
        with open(os.path.join(data, "Default", "Preferences"), "w") as f:
            json.dump(prefs, f)
    return home, data


def env_for(home):
    env = dict(os.environ, HOME=home, DBUS_SESSION_BUS_ADDRESS="disabled:")
    env.pop("KIOSK_CONTRACT_CAPTURE_DIR", None)
    return env


def dump_dom(url, home, data, budget_ms=5000):
    """The page as --dump-dom prints it (a second, throwaway browser)."""
    out = subprocess.run(["chromium", *FLAGS, f"--user-data-dir={data}", f"--virtual-time-budget={budget_ms}",
                          "--dump-dom", url], capture_output=True, text=True, env=env_for(home), timeout=120)
    return out.stdout


class Browser:
    """One headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, home, data, width=1366, height=768):
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()

        def fds():
            # Copies above 4 first: a pipe end that already is fd 3 or 4 would otherwise stay close-on-exec
            # (dup2 onto itself changes nothing) or be overwritten by the other.
            a, b = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(["chromium", *FLAGS, f"--user-data-dir={data}", "--remote-debugging-pipe",
                                      f"--window-size={width},{height}", "about:blank"],
                                     preexec_fn=fds, close_fds=False, env=env_for(home),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf, self._next, self.events, self.dialogs = b"", 0, [], []
        self.accept_dialogs = True
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_w, self._from_r):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, method, params=None, session=False):
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        return self._next

    def _read(self):
        while b"\0" not in self._buf:
            chunk = os.read(self._from_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=False):
        want = self.send(method, params, session)
        while True:
            msg = self._read()
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg)

    def _event(self, msg):
        self.events.append(msg["method"])
        if msg["method"] == "Page.javascriptDialogOpening":
            self.dialogs.append(msg["params"]["message"])
            self.send("Page.handleJavaScriptDialog", {"accept": self.accept_dialogs}, session=True)

    def js(self, expression):
        """The value of `expression` in the page (awaited when it is a promise)."""
        r = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True},
                      session=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page: {r['exceptionDetails'].get('text')} in {expression[:80]}")
        return r["result"].get("value")

    def wait_for(self, expression, limit_s=20):
        """Waits until `expression` is truthy in the page; its value. A deadline, not a measurement."""
        end = time.monotonic() + limit_s
        while True:
            v = self.js(expression)
            if v:
                return v
            if time.monotonic() > end:
                raise RuntimeError("the page never got to: " + expression)
            time.sleep(0.02)

    def size(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def navigate(self, url):
        self.call("Page.navigate", {"url": url}, session=True)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def have_tools():
    return [t for t in ("chromium", "certutil", "pk12util", "openssl") if not shutil.which(t)]
