"""A minimal Chrome DevTools Protocol client over a pipe (--remote-debugging-pipe),
standard library only: start headless Chromium, open pages from file://, run
JavaScript in them, collect console errors, take screenshots.

    with Browser(chromium_path) as browser:
        page = browser.page()
        page.goto("file:///.../index.html")
        names = page.eval("Array.from(document.querySelectorAll('tr')).length")
        page.screenshot("shot.png")
        errors = page.console_errors

Chromium reads commands from fd 3 and writes replies and events to fd 4, each
a JSON text followed by a NUL byte.
"""

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
)


class CdpError(Exception):
    pass


def find_chromium():
    """The Chromium executable ($CHROMIUM, else chromium / chromium-browser / google-chrome on PATH), or None."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, executable, width=1280, height=900, log_path=None, timeout=60.0):
        self.executable = executable
        self.width, self.height = width, height
        self.timeout = timeout
        self.log_path = log_path
        self._next_id = 0
        self._replies = {}
        self._events = queue.Queue()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._closed = False

    # -- process ---------------------------------------------------------------------
    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="x86msr-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():
            # fd 3: the browser's input; fd 4: its output. Move the pipe ends
            # out of the way first, in case they are 3 or 4 already.
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        log = open(self.log_path or os.devnull, "wb")
        args = [self.executable, *FLAGS, f"--user-data-dir={self.profile}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     preexec_fn=child_fds, pass_fds=(3, 4))
        log.close()
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc):
        try:
            if self.proc.poll() is None:
                try:
                    self.call("Browser.close", timeout=10)
                except (CdpError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)
        return False

    # -- protocol --------------------------------------------------------------------
    def _read_loop(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw.decode("utf-8"))
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    self._events.put(msg)

    def call(self, method, params=None, session=None, timeout=None):
        with self._cond:
            self._next_id += 1
            ident = self._next_id
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._to_browser, data):]
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if self._closed:
                    raise CdpError(f"{method}: the browser went away")
                if left <= 0:
                    raise CdpError(f"{method}: no reply in {timeout or self.timeout:.0f} s")
                self._cond.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}".strip())
        return reply.get("result", {})

    def events(self, timeout):
        """Events received so far, waiting up to `timeout` s for the first."""
        out = []
        try:
            out.append(self._events.get(timeout=timeout))
            while True:
                out.append(self._events.get_nowait())
        except queue.Empty:
            pass
        return out

    def page(self):
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target = page["targetId"] if page else self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.console_errors = []   # (url, text)
        self.url = ""
        self._pending = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(method)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": browser.width, "height": browser.height, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method, params=None, timeout=None):
        return self.browser.call(method, params, self.session, timeout)

    def _note(self, event):
        if event.get("sessionId") != self.session:
            return
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console_errors.append((self.url, f"console.{params['type']}: {text}"))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.console_errors.append((self.url, f"exception: {text}"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") in ("error", "warning"):
                self.console_errors.append((self.url, f"{entry.get('source')} {entry.get('level')}: "
                                                      f"{entry.get('text')} {entry.get('url', '')}".strip()))
        else:
            self._pending.append(event)

    def drain(self, timeout=0.2):
        for event in self.browser.events(timeout):
            self._note(event)

    def goto(self, url, timeout=30.0):
        self.url = url
        self._pending = []
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CdpError(f"{url}: {result['errorText']}")
        deadline = time.monotonic() + timeout
        while True:
            if any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == self.session
                   for e in self._pending):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError(f"{url}: not loaded in {timeout:.0f} s")
            self.drain(min(left, 0.5))
        self.drain(0.1)

    def eval(self, expression):
        """The value of a JavaScript expression (JSON-serialisable), after the page's own work."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise CdpError(f"{expression[:80]}...: "
                           f"{details.get('exception', {}).get('description') or details.get('text')}")
        self.drain(0.05)
        return result["result"].get("value")

    def screenshot(self, path, clip=None):
        params = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = dict(clip, scale=1)
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
