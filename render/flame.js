(function () {
"use strict";
var NS = "http://www.w3.org/2000/svg", XH = "http://www.w3.org/1999/xhtml";
/* W: the width laid out, 1200 in the static picture, then the window's
   (fluid(), below). */
var W = 1200, CW = 7.25, PAD = 3, MIN_W = 600;
function $(id) { return document.getElementById(id); }
var frames = $("frames"), details = $("details"), matched = $("matched");
var unzoomBtn = $("unzoom"), searchBtn = $("search"), caseBtn = $("case");
var T = +frames.getAttribute("data-total");
var DOWN = frames.getAttribute("data-dir") === "down";
var DIFF = frames.getAttribute("data-diff") === "1";
var boxes = [], byG = new Map(), zoomed = null, hovered = null;
var query = "", re = null, icase = false;
[].forEach.call(frames.children, function (g, i) {
	var r = g.getElementsByTagName("rect")[0], y = +r.getAttribute("y");
	var t = g.getElementsByTagName("title")[0].textContent, k = t.lastIndexOf(" (");
	var b = { g: g, r: r, l: g.getElementsByTagName("text")[0] || null, i: i, y: y,
		rank: DOWN ? y : -y, o: +g.getAttribute("data-o"), v: +g.getAttribute("data-v"),
		name: t.substring(0, k), stat: t.substring(k + 2, t.length - 1),
		rest: g.getAttribute("class") === "rest", chars: null, short: null };
	boxes.push(b);
	byG.set(g, b);
});
function pct(a, b) { var p = b ? 100 * a / b : 0; return (p >= 10 ? p.toFixed(1) : p.toFixed(2)) + "%"; }
/* Label rule of put_label() in flame.c: name, name after its last '/',
   head of that and "..", or nothing. */
function label(b, w) {
	var n = Math.floor((w - 2 * PAD) / CW), k, s;
	if (n < 3) return "";
	if (!b.chars) {
		b.chars = Array.from(b.name);
		k = b.name.lastIndexOf("/");
		b.short = k >= 0 && k < b.name.length - 1 ? Array.from(b.name.substring(k + 1)) : b.chars;
	}
	if (b.chars.length <= n) return b.name;
	s = b.short;
	return s.length <= n ? s.join("") : s.slice(0, n - 2).join("") + "..";
}
function place(b, xc, wc) {
	var s = label(b, wc / 100);
	b.r.setAttribute("x", String(xc / 100));
	b.r.setAttribute("width", String(wc / 100));
	if (!b.l) {
		if (!s) return;
		b.l = b.g.appendChild(document.createElementNS(NS, "text"));
		b.l.setAttribute("y", b.y + 11);
	}
	b.l.setAttribute("x", String((xc + PAD * 100) / 100));
	b.l.textContent = s;
}
/* Ancestors of the zoomed box span the width, greyed; its subtree fills
   the width; everything else is hidden. */
function layout() {
	var z = zoomed, base = z ? z.o : 0, span = z ? z.v : T, zr = z ? z.rank : -Infinity;
	boxes.forEach(function (b) {
		var end = b.o + b.v, xc;
		var anc = !!z && b.rank < zr && b.o <= base && end >= base + span;
		var inside = b.rank >= zr && b.o >= base && end <= base + span;
		b.g.classList.toggle("anc", anc);
		b.g.classList.toggle("hid", !anc && !inside);
		if (anc) {
			place(b, 0, W * 100);
		} else if (inside) {
			xc = Math.round((b.o - base) * W / span * 100);
			place(b, xc, Math.round((end - base) * W / span * 100) - xc);
		}
	});
	if (z) unzoomBtn.removeAttribute("display"); else unzoomBtn.setAttribute("display", "none");
}
function save() {
	var p = [];
	if (query) p.push("s=" + encodeURIComponent(query));
	if (icase) p.push("i=1");
	if (zoomed) p.push("x=" + zoomed.i);
	try { history.replaceState(null, "", location.pathname + (p.length ? "?" + p.join("&") : "")); } catch (e) {}
}
function zoom(b) {
	zoomed = b && b.i > 0 && !b.rest ? b : null;
	layout();
	if (hovered) describe(hovered);
	showMatched();
	save();
}
/* Share of the union of the matched boxes: nested matches lie inside
   their matching ancestor and count once. */
function showMatched() {
	var iv = [], sum = 0, zsum = 0, end = -Infinity, z = zoomed, s;
	if (!query) { matched.textContent = ""; return; }
	if (!re) { matched.textContent = "Invalid regular expression"; return; }
	boxes.forEach(function (b) { if (b.hit) iv.push([b.o, b.o + b.v]); });
	iv.sort(function (a, b) { return a[0] - b[0]; });
	iv.forEach(function (p) {
		var lo;
		if (p[1] <= end) return;
		lo = Math.max(p[0], end);
		sum += p[1] - lo;
		if (z) zsum += Math.max(0, Math.min(p[1], z.o + z.v) - Math.max(lo, z.o));
		end = p[1];
	});
	s = "Matched: " + pct(sum, T);
	if (z) s += " (" + pct(zsum, z.v) + " of zoomed frame)";
	matched.textContent = s;
}
function search(q) {
	query = q;
	re = null;
	if (q) try { re = new RegExp(q, icase ? "i" : ""); } catch (e) { re = null; }
	boxes.forEach(function (b) {
		b.hit = !!re && !b.rest && re.test(b.name);
		b.g.classList.toggle("hit", b.hit);
	});
	searchBtn.textContent = query ? "Reset Search" : "Search";
	showMatched();
	save();
}
function setCase(on) {
	icase = on;
	caseBtn.textContent = (on ? "[x]" : "[ ]") + " ignore case";
}
/* The search box: an HTML input, added only when scripts run. */
var fo = document.createElementNS(NS, "foreignObject"), input = document.createElementNS(XH, "input");
fo.setAttribute("x", W - 285);
fo.setAttribute("y", 9);
fo.setAttribute("width", 180);
fo.setAttribute("height", 22);
input.setAttribute("id", "q");
input.setAttribute("type", "text");
input.setAttribute("placeholder", "regex (Ctrl-F)");
input.setAttribute("style", "width:100%;height:100%;box-sizing:border-box;font:12px monospace");
fo.appendChild(input);
document.documentElement.insertBefore(fo, frames);
input.addEventListener("input", function () { search(input.value); });
input.addEventListener("keydown", function (e) {
	if (e.key === "Enter") {
		search(input.value);
	} else if (e.key === "Escape") {
		input.value = "";
		search("");
		input.blur();
	} else {
		return;
	}
	e.stopPropagation();
});
searchBtn.addEventListener("click", function () {
	if (query) { input.value = ""; search(""); return; }
	if (input.value) search(input.value); else input.focus();
});
caseBtn.addEventListener("click", function () { setCase(!icase); search(query); });
unzoomBtn.addEventListener("click", function () { zoom(null); });
function boxOf(e) {
	var g = e.target.closest ? e.target.closest("#frames > g") : null;
	return g ? byG.get(g) : null;
}
/* Details of the box under the mouse: value, share of the total and of
   the zoomed frame. */
function describe(b) {
	var k, s;
	hovered = b;
	if (!b) { details.textContent = " "; return; }
	k = b.stat.lastIndexOf(", ");
	/* a diff box states its own figures (base, target, change) */
	if (DIFF && !b.rest) s = b.name + " (" + b.stat;
	else s = b.name + " (" + b.stat.substring(0, k) + ", " + b.stat.substring(k + 2) + " of total";
	if (zoomed && !b.g.classList.contains("anc")) s += ", " + pct(b.v, zoomed.v) + " of zoomed frame";
	details.textContent = (b.rest ? "" : "Function: ") + s + ")";
}
frames.addEventListener("mouseover", function (e) { var b = boxOf(e); if (b) describe(b); });
frames.addEventListener("mouseout", function () { describe(null); });
frames.addEventListener("click", function (e) { var b = boxOf(e); if (b && !b.rest) zoom(b); });
window.addEventListener("keydown", function (e) {
	if ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F")) {
		e.preventDefault();
		input.focus();
		input.select();
	} else if (e.key === "Escape") {
		if (query) { input.value = ""; search(""); } else if (zoomed) zoom(null);
	}
});
/* Fit text el into room px: the whole of full, else its head and an
   ellipsis, with full as the tooltip. */
function fit(el, full, room) {
	var chars = Array.from(full), lo = 0, hi = chars.length, mid, tip;
	el.textContent = full;
	if (el.getComputedTextLength() <= room) return;
	while (lo < hi) {
		mid = (lo + hi + 1) >> 1;
		el.textContent = chars.slice(0, mid).join("") + "\u2026";
		if (el.getComputedTextLength() <= room) lo = mid; else hi = mid - 1;
	}
	el.textContent = chars.slice(0, lo).join("") + "\u2026";
	tip = el.appendChild(document.createElementNS(NS, "title"));
	tip.textContent = full;
}
/* A header line between the left controls (from x = left) and the right
   ones (from W - right): centred on the page when it fits there, else
   centred in the free band, cut to fit. */
function header(el, full, left, right) {
	var band = W - left - right, mid = Math.min(W / 2 - left, W / 2 - right) * 2;
	el.setAttribute("x", W / 2);
	fit(el, full, band);
	if (el.getComputedTextLength() > mid) el.setAttribute("x", left + band / 2);
}
/* Fluid width: the SVG as wide as its window (at least MIN_W), in px at
   its real height; the static picture's size and stretch (for thumbnails,
   see flame.c) are dropped. */
var svg = document.documentElement, vb = svg.getAttribute("viewBox").split(" ");
var H = +vb[3], titleEl = $("title"), subEl = $("subtitle");
var titleText = titleEl.textContent, subText = subEl.textContent;
function fluid() {
	var w;
	svg.removeAttribute("viewBox");
	svg.removeAttribute("preserveAspectRatio");
	svg.setAttribute("height", H);
	svg.setAttribute("width", "100%");
	w = Math.floor(svg.getBoundingClientRect().width);
	if (!(w >= MIN_W)) {
		w = MIN_W;
		svg.setAttribute("width", w);
	}
	W = w;
	searchBtn.setAttribute("x", W - 10);
	caseBtn.setAttribute("x", W - 10);
	matched.setAttribute("x", W - 10);
	fo.setAttribute("x", W - 285);
	header(titleEl, titleText, 100, 295);
	header(subEl, subText, 10, 130);
	layout();
}
var resizing = false;
window.addEventListener("resize", function () {
	if (resizing) return;
	resizing = true;
	requestAnimationFrame(function () { resizing = false; fluid(); });
});
searchBtn.removeAttribute("display");
caseBtn.removeAttribute("display");
fluid();
/* Restore ?s=..&i=1&x=.. (or the same after '#'); '+' stays a '+'. */
(function () {
	var q = location.search.length > 1 ? location.search : location.hash, p = {};
	q.substring(1).split("&").forEach(function (kv) {
		var k = kv.indexOf("=");
		if (k > 0) try { p[kv.substring(0, k)] = decodeURIComponent(kv.substring(k + 1)); } catch (e) {}
	});
	setCase(p.i === "1");
	if (p.x && /^[0-9]+$/.test(p.x) && boxes[+p.x]) zoom(boxes[+p.x]);
	if (p.s) { input.value = p.s; search(p.s); }
})();
})();
