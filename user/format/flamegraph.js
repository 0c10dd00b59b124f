/*
 * flamegraph.js: the interactive part of bpflame's SVG flame graphs,
 * embedded by flamegraph.c after a line defining `fgconf` (layout numbers).
 *
 * The frames are the g children of #frames, in depth-first order (parent
 * before children, left to right); each holds a title "NAME (N samples, P%)",
 * a rect and a text label. Handlers are on #frames and the
 * document only, so a large graph costs nothing per frame. A frame's subtree
 * is the run of frames after it that are deeper, which makes zoom and the
 * "no nested match counted twice" rule of search a linear walk.
 *
 * State in the URL hash: #x=X&y=Y (zoomed frame) &s=REGEX &i=1 (ignore case).
 */
(function () {
	"use strict";
	var conf = fgconf;
	var frames, details, matchedtxt, searchbtn, unzoombtn, icbtn;
	var n = 0;
	var G = [], R = [], T = [];          /* elements */
	var name = [], shown = [], label = [], info = [];
	var ox = [], ow = [], oy = [], depth = [], parent = [], end = [], samples = [];
	var ofill = [], cls = [], dirty = [], moved = [];
	var zoomed = -1, term = null, ignorecase = false;

	function parseTitle(i, text) {
		var m = /^([\s\S]*) \(([0-9,]+) [\s\S]*?, [0-9.]+%(; [-+]?[0-9.]+%)?\)$/
			.exec(text);

		info[i] = text;
		if (m) {
			name[i] = m[1];
			samples[i] = parseFloat(m[2].replace(/,/g, ""));
		} else {
			name[i] = text;
			samples[i] = 0;
		}
	}

	function init() {
		var last = [], kids, i, d, y;

		frames = document.getElementById("frames");
		details = document.getElementById("details").firstChild;
		matchedtxt = document.getElementById("matched");
		searchbtn = document.getElementById("search");
		unzoombtn = document.getElementById("unzoom");
		icbtn = document.getElementById("ignorecase");
		if (!frames)
			return;
		kids = frames.children;
		n = kids.length;
		for (i = 0; i < n; i++) {
			G[i] = kids[i];
			G[i].fgIndex = i;
			parseTitle(i, G[i].getElementsByTagName("title")[0].textContent);
			/* Titles round; fractional profiles carry the exact count. */
			if (G[i].hasAttribute("data-s"))
				samples[i] = parseFloat(G[i].getAttribute("data-s"));
			/* Labels may show a shorter name than the title's (no vendor prefix). */
			shown[i] = G[i].getAttribute("data-l") || name[i];
			R[i] = G[i].getElementsByTagName("rect")[0];
			T[i] = G[i].getElementsByTagName("text")[0];
			ox[i] = parseFloat(R[i].getAttribute("x"));
			ow[i] = parseFloat(R[i].getAttribute("width"));
			y = oy[i] = parseFloat(R[i].getAttribute("y"));
			label[i] = T[i].textContent;
			if (conf.inverted)
				d = Math.round((y - conf.top) / conf.frameheight);
			else
				d = Math.round((conf.bottom + 1 - y) / conf.frameheight) - 1;
			depth[i] = d;
			parent[i] = d > 0 && last[d - 1] !== undefined ? last[d - 1] : -1;
			last[d] = i;
			last.length = d + 1;
		}
		/* end[i]: one past the last frame of i's subtree */
		var stack = [];
		for (i = 0; i < n; i++) {
			while (stack.length && depth[stack[stack.length - 1]] >= depth[i])
				end[stack.pop()] = i;
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = n;

		frames.addEventListener("mouseover", function (e) {
			var i = frameOf(e.target);
			if (i >= 0)
				details.nodeValue = "Function: " + info[i];
		});
		frames.addEventListener("mouseout", function (e) {
			if (frameOf(e.target) >= 0)
				details.nodeValue = " ";
		});
		frames.addEventListener("click", function (e) {
			var i = frameOf(e.target);
			if (i < 0)
				return;
			if (depth[i] === 0)
				unzoom();
			else
				zoom(i);
			saveState();
		});
		unzoombtn.addEventListener("click", function () {
			unzoom();
			saveState();
		});
		searchbtn.addEventListener("click", searchPrompt);
		icbtn.addEventListener("click", toggleIgnorecase);
		window.addEventListener("keydown", function (e) {
			var key = (e.key || "").toLowerCase();
			if (!e.ctrlKey && !e.metaKey)
				return;
			if (key === "f" || e.keyCode === 70) {
				e.preventDefault();
				searchPrompt();
			} else if (key === "i") {
				e.preventDefault();
				toggleIgnorecase();
			}
		});
		restoreState();
	}

	function frameOf(el) {
		while (el && el !== frames) {
			if (el.fgIndex !== undefined)
				return el.fgIndex;
			el = el.parentNode;
		}
		return -1;
	}

	/* flamegraph.pl's labels: as many characters as fit, ".." if cut */
	function fit(i, w) {
		var chars = Math.floor(w / (conf.fontsize * conf.fontwidth));
		var s = depth[i] === 0 ? "all" : shown[i];
		if (chars < 3)
			return "";
		if (chars < s.length)
			return s.substring(0, chars - 2) + "..";
		return s;
	}

	function place(i, x, w, text) {
		R[i].setAttribute("x", x.toFixed(1));
		R[i].setAttribute("width", w.toFixed(1));
		T[i].setAttribute("x", (x + 3).toFixed(1));
		T[i].textContent = text;
	}

	/* Sets a frame's class ("", "hide" or "parent"), touching the DOM only on change. */
	function show(i, c) {
		if ((cls[i] || "") === c)
			return;
		cls[i] = c;
		if (c)
			G[i].setAttribute("class", c);
		else
			G[i].removeAttribute("class");
	}

	/* Remembers a frame a zoom moved, once, for unzoom to put back. */
	function markMoved(i) {
		if (!moved[i]) {
			moved[i] = true;
			dirty.push(i);
		}
	}

	function zoom(z) {
		var i, full = conf.width - 2 * conf.xpad, ratio = full / ow[z];
		var anc = {};

		if (!(ow[z] > 0)) /* a zero-width frame cannot fill the width */
			return;
		for (i = parent[z]; i >= 0; i = parent[i])
			anc[i] = true;
		for (i = 0; i < n; i++) {
			if (anc[i]) {
				show(i, "parent");
				place(i, conf.xpad, full, fit(i, full));
				markMoved(i);
			} else if (i >= z && i < end[z]) {
				var w = ow[i] * ratio, x = conf.xpad + (ox[i] - ox[z]) * ratio;
				show(i, "");
				place(i, x, w, fit(i, w));
				markMoved(i);
			} else {
				show(i, "hide");
			}
		}
		zoomed = z;
		unzoombtn.setAttribute("class", "");
	}

	function unzoom() {
		if (zoomed < 0)
			return;
		/* Only frames a zoom placed have moved; the others were only hidden. */
		for (var k = 0; k < dirty.length; k++) {
			var i = dirty[k];
			R[i].setAttribute("x", ox[i]);
			R[i].setAttribute("width", ow[i]);
			T[i].setAttribute("x", (ox[i] + 3).toFixed(1));
			T[i].textContent = label[i];
			moved[i] = false;
		}
		dirty = [];
		for (i = 0; i < n; i++)
			show(i, "");
		zoomed = -1;
		unzoombtn.setAttribute("class", "hide");
	}

	function resetSearch() {
		for (var i = 0; i < n; i++) {
			if (ofill[i] !== undefined) {
				R[i].setAttribute("fill", ofill[i]);
				ofill[i] = undefined;
			}
		}
		term = null;
		searchbtn.setAttribute("class", "");
		searchbtn.firstChild.nodeValue = "Search";
		matchedtxt.firstChild.nodeValue = " ";
		matchedtxt.removeAttribute("data-matched");
	}

	/*
	 * Highlights the frames whose name matches re and reports the share of
	 * the root they cover; a match inside a matched frame is not counted
	 * again (its samples are already in its ancestor's).
	 */
	function search(t) {
		var re, i, sum = 0, covered = 0, any = false;

		try {
			re = new RegExp(t, ignorecase ? "i" : "");
		} catch (err) {
			/* Drop the previous search too: its highlights would be stale. */
			resetSearch();
			matchedtxt.firstChild.nodeValue = "Bad regex: " + err.message;
			return;
		}
		resetSearch();
		term = t;
		for (i = 0; i < n; i++) {
			if (!re.test(name[i]))
				continue;
			any = true;
			ofill[i] = R[i].getAttribute("fill");
			R[i].setAttribute("fill", conf.searchcolor);
			if (i >= covered) {
				sum += samples[i];
				covered = end[i];
			}
		}
		searchbtn.setAttribute("class", "show");
		searchbtn.firstChild.nodeValue = "Reset Search";
		var total = n ? samples[0] : 0, pct = total > 0 ? 100 * sum / total : 0;
		matchedtxt.setAttribute("data-matched", String(pct));
		matchedtxt.firstChild.nodeValue = "Matched: " +
			(pct === 100 ? "100" : pct.toFixed(1)) + "%" + (any ? "" : " (no match)");
	}

	function searchPrompt() {
		if (term !== null) {
			resetSearch();
			saveState();
			return;
		}
		var t = prompt("Enter a search term (regexp allowed, eg: ^runtime\\.)" +
			(ignorecase ? ", ignoring case" : "") +
			"\nPress Ctrl-i to toggle case sensitivity", "");
		if (t !== null && t !== "") {
			search(t);
			saveState();
		}
	}

	function toggleIgnorecase() {
		ignorecase = !ignorecase;
		icbtn.setAttribute("class", ignorecase ? "show" : "");
		if (term !== null)
			search(term);
		saveState();
	}

	function saveState() {
		var p = [];
		if (zoomed >= 0)
			p.push("x=" + ox[zoomed], "y=" + oy[zoomed]);
		if (term !== null)
			p.push("s=" + encodeURIComponent(term));
		if (ignorecase)
			p.push("i=1");
		try {
			var url = location.href.replace(/#.*$/, "");
			history.replaceState(null, "", url + (p.length ? "#" + p.join("&") : ""));
		} catch (err) {
			/* some viewers forbid it: the state just is not kept */
		}
	}

	function restoreState() {
		var q = (location.hash || "").replace(/^#/, "") + "&" +
			(location.search || "").replace(/^\?/, "");
		var p = {}, i;
		q.split("&").forEach(function (kv) {
			var k = kv.indexOf("=");
			if (k <= 0)
				return;
			try {
				p[kv.substring(0, k)] = decodeURIComponent(kv.substring(k + 1));
			} catch (err) {
				/* a malformed parameter is ignored */
			}
		});
		if (p.i === "1") {
			ignorecase = true;
			icbtn.setAttribute("class", "show");
		}
		if (p.x !== undefined && p.y !== undefined) {
			/* x is kept to 0.1 px: of the frames there, take the widest
			 * (a narrower one at the same x is a zero-width sibling). */
			var x = parseFloat(p.x), y = parseFloat(p.y), best = -1;
			for (i = 0; i < n; i++) {
				if (Math.abs(ox[i] - x) < 0.05 && Math.abs(oy[i] - y) < 0.05 &&
				    (best < 0 || ow[i] > ow[best]))
					best = i;
			}
			if (best >= 0 && depth[best] > 0)
				zoom(best);
		}
		if (p.s)
			search(p.s);
	}

	/* Exposed for tests and the console. */
	window.flamegraph = {
		search: function (t) { search(t); saveState(); },
		resetSearch: function () { resetSearch(); saveState(); },
		zoom: function (i) { zoom(i); saveState(); },
		unzoom: function () { unzoom(); saveState(); },
		toggleIgnorecase: toggleIgnorecase
	};

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", init);
	else
		init();
})();
