"""webdriver: a tiny W3C WebDriver client (python3 stdlib only) for driving
Debian's chromium through Debian's chromedriver. The two come from the same
source package, so their versions always match; nothing is downloaded.

Only what tests/svg_browser.t needs: navigate, run scripts, click elements,
send keys, answer prompt(), take screenshots.

Chromium is started here, not by chromedriver: with its DevTools endpoint on
127.0.0.1 and chromedriver attached through debuggerAddress, nothing needs
`localhost` to resolve (it does not without /etc/hosts, as in a fresh
chroot). Both run in process groups of their own, killed whole by close(),
and every file they make (profile, TMPDIR) lives in the caller's directory.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		 "--no-first-run", "--disable-background-networking", "--disable-component-update",
		 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
		 "--hide-scrollbars", "--enable-automation", "--disable-popup-blocking",
		 "--disable-hang-monitor", "--disable-default-apps", "--password-store=basic",
		 "--use-mock-keychain", "--remote-debugging-address=127.0.0.1",
		 "--remote-debugging-port=0", "about:blank"]


# Waits for the page are generous on a loaded machine: every deadline a
# test gives is multiplied by this (success returns as soon as it holds).
WAIT_SCALE = float(os.environ.get("TEST_WAIT_SCALE") or 3)


class WebDriverError(Exception):
	pass


def find_browser():
	"""Returns (chromium, chromedriver) paths, or None when either is missing."""
	chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or \
		(os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
	driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or \
		(os.path.exists("/usr/bin/chromedriver") and "/usr/bin/chromedriver")
	if not chromium or not driver:
		return None
	return chromium, driver


def free_port():
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def _kill_group(proc):
	"""Ends proc and everything in its process group (chromium's renderers,
	chromedriver's children): SIGTERM, then SIGKILL after 10 s."""
	if proc is None:
		return
	for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
		try:
			os.killpg(proc.pid, sig)
		except (ProcessLookupError, PermissionError):
			pass
		try:
			proc.wait(wait)
			break
		except subprocess.TimeoutExpired:
			continue
	# Whatever else is left in the group (children outliving the leader).
	try:
		os.killpg(proc.pid, signal.SIGKILL)
	except (ProcessLookupError, PermissionError):
		pass


class Browser:
	"""One chromium, one chromedriver attached to it and one session; use as
	a context manager. Everything they write goes under workdir (the
	caller's own temporary directory, which the caller removes)."""

	def __init__(self, chromium, driver, workdir, log_path=None, timeout=120):
		self.proc = self.browser = None
		self.session = None
		self.log = open(log_path or os.devnull, "w")
		self.profile = os.path.join(workdir, "chromium-profile")
		tmp = os.path.join(workdir, "chromium-tmp")
		os.makedirs(self.profile, exist_ok=True)
		os.makedirs(tmp, exist_ok=True)
		env = dict(os.environ, TMPDIR=tmp, HOME=workdir, XDG_CONFIG_HOME=tmp,
			   XDG_CACHE_HOME=tmp)
		try:
			self.browser = subprocess.Popen(
				[chromium] + CHROMIUM_ARGS + ["--user-data-dir=" + self.profile],
				stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
				env=env, start_new_session=True)
			# Chromium writes its DevTools port to DevToolsActivePort once listening.
			devtools = self._wait(lambda: self._devtools_port(), timeout,
					      lambda: self.browser.poll() is None,
					      "chromium did not open its DevTools port")
			self.port = free_port()
			self.base = "http://127.0.0.1:%d" % self.port
			self.proc = subprocess.Popen(
				[driver, "--port=%d" % self.port, "--allowed-ips=127.0.0.1"],
				stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
				env=env, start_new_session=True)
			self._wait(self._driver_ready, timeout, lambda: self.proc.poll() is None,
				   "chromedriver did not start")
			caps = {"capabilities": {"alwaysMatch": {
				"browserName": "chrome",
				"unhandledPromptBehavior": "ignore",
				"goog:chromeOptions": {"debuggerAddress": "127.0.0.1:%d" % devtools},
			}}}
			value = self._req("POST", "/session", caps)
			self.session = value["sessionId"]
		except BaseException:
			self.close()
			raise

	@staticmethod
	def _wait(probe, timeout, alive, what):
		deadline = time.time() + timeout
		while True:
			v = probe()
			if v:
				return v
			if time.time() > deadline or not alive():
				raise WebDriverError(what)
			time.sleep(0.2)

	def _devtools_port(self):
		try:
			with open(os.path.join(self.profile, "DevToolsActivePort")) as f:
				port = int(f.readline().strip() or 0)
		except (OSError, ValueError):
			return None
		return port or None

	def _driver_ready(self):
		try:
			return self._req("GET", "/status").get("ready")
		except (OSError, WebDriverError):
			return False

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.close()

	def close(self):
		if self.session:
			try:
				self._req("DELETE", "/session/" + self.session)
			except (OSError, WebDriverError):
				pass
			self.session = None
		_kill_group(self.proc)
		_kill_group(self.browser)
		self.proc = self.browser = None
		if not self.log.closed:
			self.log.close()

	def _req(self, method, path, body=None):
		data = None if body is None else json.dumps(body).encode()
		req = urllib.request.Request(self.base + path, data=data, method=method,
					     headers={"Content-Type": "application/json"})
		try:
			with urllib.request.urlopen(req, timeout=60) as r:
				payload = json.loads(r.read() or b"{}")
		except urllib.error.HTTPError as e:
			try:
				payload = json.loads(e.read())
			except ValueError:
				raise WebDriverError("%s %s: HTTP %d" % (method, path, e.code))
			v = payload.get("value", {})
			raise WebDriverError("%s %s: %s: %s" % (method, path, v.get("error"),
								 str(v.get("message", ""))[:300]))
		return payload.get("value")

	def cmd(self, method, path, body=None):
		return self._req(method, "/session/%s%s" % (self.session, path), body)

	def get(self, url):
		self.cmd("POST", "/url", {"url": url})

	def refresh(self):
		self.cmd("POST", "/refresh", {})

	def url(self):
		return self.cmd("GET", "/url")

	def run(self, script, *args):
		"""Runs a function body (use `arguments`), returns its result."""
		return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

	def find(self, css):
		return self.cmd("POST", "/element", {"using": "css selector", "value": css})

	def click(self, element):
		self.cmd("POST", "/element/%s/click" % element[ELEMENT], {})

	def keys(self, *keys):
		"""Presses keys together (e.g. "\\ue009", "f" for Ctrl-F), then releases."""
		down = [{"type": "keyDown", "value": k} for k in keys]
		up = [{"type": "keyUp", "value": k} for k in reversed(keys)]
		self.cmd("POST", "/actions", {"actions": [
			{"type": "key", "id": "keyboard", "actions": down + up}]})
		try:
			self.cmd("DELETE", "/actions")
		except WebDriverError as e:
			# The keys may have opened a dialog (Ctrl-F opens prompt()).
			if "unexpected alert open" not in str(e):
				raise

	def alert_text(self):
		"""The open dialog's message, or None when no dialog is open."""
		try:
			return self.cmd("GET", "/alert/text")
		except WebDriverError as e:
			if "no such alert" in str(e):
				return None
			raise

	def answer_prompt(self, text):
		self.cmd("POST", "/alert/text", {"text": text})
		self.cmd("POST", "/alert/accept", {})

	def dismiss_alert(self):
		self.cmd("POST", "/alert/dismiss", {})

	def set_window(self, width, height):
		self.cmd("POST", "/window/rect", {"width": int(width), "height": int(height)})

	def screenshot(self, path):
		png = base64.b64decode(self.cmd("GET", "/screenshot"))
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with open(path, "wb") as fh:
			fh.write(png)
		return len(png)

	def wait_for(self, script, timeout=10.0, *args):
		"""Polls script until it returns a true value; returns that value."""
		deadline = time.time() + timeout * WAIT_SCALE
		while True:
			v = self.run(script, *args)
			if v or time.time() > deadline:
				return v
			time.sleep(0.1)
