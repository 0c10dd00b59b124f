"""webdriver: a tiny W3C WebDriver client (python3 stdlib only) for driving
Debian's chromium through Debian's chromedriver. The two come from the same
source package, so their versions always match; nothing is downloaded.

Only what tests/svg_browser.t needs: navigate, run scripts, click elements,
send keys, answer prompt(), take screenshots.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		 "--no-first-run", "--disable-background-networking", "--disable-component-update",
		 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
		 "--hide-scrollbars"]


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


class Browser:
	"""One chromedriver process and one session; use as a context manager."""

	def __init__(self, chromium, driver, log_path=None):
		self.port = free_port()
		self.base = "http://127.0.0.1:%d" % self.port
		self.profile = tempfile.mkdtemp(prefix="bpflame-chromium.")
		self.log = open(log_path or os.devnull, "w")
		self.proc = subprocess.Popen(
			[driver, "--port=%d" % self.port, "--allowed-ips=127.0.0.1"],
			stdout=self.log, stderr=subprocess.STDOUT)
		self.session = None
		deadline = time.time() + 30
		while True:
			try:
				if self._req("GET", "/status").get("ready"):
					break
			except (OSError, WebDriverError):
				pass
			if time.time() > deadline or self.proc.poll() is not None:
				self.close()
				raise WebDriverError("chromedriver did not start")
			time.sleep(0.2)
		args = CHROMIUM_ARGS + ["--user-data-dir=" + self.profile]
		caps = {"capabilities": {"alwaysMatch": {
			"browserName": "chrome",
			"unhandledPromptBehavior": "ignore",
			"goog:chromeOptions": {"binary": chromium,
					       "args": args},
		}}}
		value = self._req("POST", "/session", caps)
		self.session = value["sessionId"]

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
		if self.proc.poll() is None:
			self.proc.terminate()
			try:
				self.proc.wait(10)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		self.log.close()
		shutil.rmtree(self.profile, ignore_errors=True)

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
		deadline = time.time() + timeout
		while True:
			v = self.run(script, *args)
			if v or time.time() > deadline:
				return v
			time.sleep(0.1)
