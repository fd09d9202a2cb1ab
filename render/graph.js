/*
 * graph.js - pan and zoom for graph.svg (pyrofs), like pprof's web graph
 * view: the wheel zooms around the pointer, dragging pans, a double click
 * shows the whole graph again.  It only moves the root's viewBox, so the
 * graph's own links and tooltips keep working.  scripts/embed.sh compiles
 * this file into the library; no network, no other file.
 */
(function () {
	'use strict';
	var me = document.currentScript;
	var svg = (me && me.ownerSVGElement) || document.documentElement;
	if (!svg || !svg.viewBox || !svg.viewBox.baseVal) {
		return;
	}
	var vb = svg.viewBox.baseVal;
	var home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
	var drag = null;

	/* The viewBox is fitted into the element, centred, aspect kept. */
	function toUser(ev) {
		var r = svg.getBoundingClientRect();
		var scale = Math.max(vb.width / r.width, vb.height / r.height);
		var ox = vb.x + vb.width / 2 - r.width * scale / 2;
		var oy = vb.y + vb.height / 2 - r.height * scale / 2;
		return {
			x: ox + (ev.clientX - r.left) * scale,
			y: oy + (ev.clientY - r.top) * scale,
			scale: scale
		};
	}

	svg.addEventListener('wheel', function (ev) {
		var p = toUser(ev);
		var f = ev.deltaY < 0 ? 1 / 1.25 : 1.25;
		ev.preventDefault();
		if (f < 1 && vb.width < home.w / 200) {
			return;         /* deep enough: one node fills the window */
		}
		vb.x = p.x - (p.x - vb.x) * f;
		vb.y = p.y - (p.y - vb.y) * f;
		vb.width *= f;
		vb.height *= f;
	}, { passive: false });

	svg.addEventListener('mousedown', function (ev) {
		if (ev.button !== 0) {
			return;
		}
		drag = { x: ev.clientX, y: ev.clientY, scale: toUser(ev).scale };
		svg.style.cursor = 'move';
		ev.preventDefault();
	});
	window.addEventListener('mousemove', function (ev) {
		if (!drag) {
			return;
		}
		vb.x -= (ev.clientX - drag.x) * drag.scale;
		vb.y -= (ev.clientY - drag.y) * drag.scale;
		drag.x = ev.clientX;
		drag.y = ev.clientY;
	});
	window.addEventListener('mouseup', function () {
		drag = null;
		svg.style.cursor = '';
	});
	svg.addEventListener('dblclick', function () {
		vb.x = home.x;
		vb.y = home.y;
		vb.width = home.w;
		vb.height = home.h;
	});
}());
