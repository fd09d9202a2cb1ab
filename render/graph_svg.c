/*
 * graph_svg.c - graph.svg: graph.dot laid out by Graphviz's dot in-process
 * (libgvc), plus a small script (render/graph.js) that pans and zooms it
 * in a browser, like pprof's web graph view.
 *
 * Graphviz.  Only two of Graphviz's plugins are used, the dot layout and
 * the core renderers (SVG): their libraries are opened once by absolute
 * path (Graphviz's plugin directory, from pkg-config at build time) and
 * handed to gvContextPlugins(), rather than letting gvContext() load every
 * plugin its config lists.  So the text layout plugin that would measure
 * text with the machine's fonts (pango, fontconfig) is never loaded: text
 * widths come from Graphviz's built-in metrics, and the same stacks give
 * the same bytes on every machine with the same Graphviz.  (Linking the
 * plugins would need an rpath, which Debian policy refuses.)
 *
 * Threads.  libgvc and cgraph keep global state (error handler, symbol
 * tables, the plugin registry) and are not known to be thread-safe, so
 * every use of them here runs under gvc_lock, which also guards the
 * mutable statics of the renderer (the plugins, opened once and kept): graph.svg renders one at a time, every other renderer
 * stays parallel, and the content cache (fs/content.c) keeps a rendered
 * graph.svg so each is laid out once.
 *
 * Bounds.  The DOT has at most 80 nodes (graph_dot.c) and their edges, so
 * the layout's time and memory are bounded whatever the profile.  What
 * Graphviz reads is made safe first: bytes that are not valid UTF-8 XML
 * characters (a function name may hold any byte) become U+FFFD, since the
 * SVG must stay valid XML and Graphviz reads C strings; the title is
 * escaped (pprof writes it raw into the DOT, which breaks on a '"').
 */
#include "embedded.h"
#include "graph_priv.h"
#include "render.h"
#include "text.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <gvc.h>

#ifndef PYRO_GVC_PLUGIN_DIR     /* the Makefile sets it from pkg-config */
#define PYRO_GVC_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/graphviz"
#endif

static pthread_mutex_t gvc_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under gvc_lock: the two plugin libraries, opened on first use and kept
 * for the process's life (Graphviz keeps pointers into them). */
static lt_symlist_t gvc_plugins[3];
static int gvc_plugins_rc = 1;          /* 1: not tried yet */

/* Open one plugin library and name its library table for Graphviz. */
static int open_plugin(const char *file, const char *sym, lt_symlist_t *out)
{
	void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	void *lib = h ? dlsym(h, sym) : NULL;

	if (!lib) {
		if (h)
			dlclose(h);
		return -ENOTSUP;        /* Graphviz's plugins are not there */
	}
	out->name = sym;
	out->address = lib;
	return 0;
}

static int load_plugins(void)
{
	if (gvc_plugins_rc == 1) {
		gvc_plugins_rc = open_plugin(PYRO_GVC_PLUGIN_DIR
					     "/libgvplugin_dot_layout.so.6",
					     "gvplugin_dot_layout_LTX_library",
					     &gvc_plugins[0]);
		if (!gvc_plugins_rc)
			gvc_plugins_rc = open_plugin(PYRO_GVC_PLUGIN_DIR
						     "/libgvplugin_core.so.6",
						     "gvplugin_core_LTX_library",
						     &gvc_plugins[1]);
	}
	return gvc_plugins_rc;
}

/* cgraph prints parse errors to stderr unless a handler takes them: the
 * daemon's stderr is not the place (a bad graph is an error return). */
static int quiet(char *msg)
{
	(void)msg;
	return 0;
}

/* The DOT as Graphviz may read it: every byte that does not start a valid
 * XML character becomes U+FFFD, newlines (DOT's line ends) stay. */
static int sanitize(const struct pyro_buf *in, struct pyro_buf *out)
{
	const unsigned char *p = (const unsigned char *)in->data;
	size_t i = 0, n;
	int rc = 0;

	while (i < in->len && !rc) {
		if (p[i] == '\n') {
			rc = pyro_buf_putc(out, '\n');
			i++;
			continue;
		}
		n = pyro_xml_char_len(p + i, in->len - i);
		if (n) {
			rc = pyro_buf_add(out, p + i, n);
			i += n;
		} else {
			rc = pyro_buf_puts(out, "\xef\xbf\xbd");
			i++;
		}
	}
	return rc ? rc : pyro_buf_putc(out, '\0');
}

/* Lay dot out and append the SVG; under gvc_lock. */
static int layout(char *dot, struct pyro_buf *svg)
{
	GVC_t *gvc = NULL;
	Agraph_t *g = NULL;
	char *data = NULL;
	unsigned int len = 0;
	int rc = load_plugins(), laid = 0;

	if (rc)
		return rc;
	rc = -ENOMEM;
	agseterrf(quiet);
	agseterr(AGMAX);
	gvc = gvContextPlugins(gvc_plugins, 0);
	if (!gvc)
		goto cleanup;
	g = agmemread(dot);
	rc = -EINVAL;           /* a DOT Graphviz does not take */
	if (!g)
		goto cleanup;
	if (gvLayout(gvc, g, "dot"))
		goto cleanup;
	laid = 1;
	if (gvRenderData(gvc, g, "svg", &data, &len) || !data)
		goto cleanup;
	rc = pyro_buf_add(svg, data, len);
cleanup:
	if (data)
		gvFreeRenderData(data);
	if (laid)
		gvFreeLayout(gvc, g);
	if (g)
		agclose(g);
	if (gvc)
		gvFreeContext(gvc);
	return rc;
}

/* Graphviz's SVG with the root sized to the window (the viewBox keeps the
 * drawing's coordinates) and the pan/zoom script as its first child. */
static int finish(const struct pyro_buf *svg, struct pyro_buf *out)
{
	const char *root = memmem(svg->data, svg->len, "<svg width=\"", 12);
	const char *view, *end;
	int rc;

	if (!root)
		return -EINVAL;
	view = memmem(root, svg->len - (size_t)(root - svg->data), "viewBox=", 8);
	end = memchr(root, '>', svg->len - (size_t)(root - svg->data));
	if (!view || !end || view > end)
		return -EINVAL;
	rc = pyro_buf_add(out, svg->data, (size_t)(root - svg->data));
	if (!rc)
		rc = pyro_buf_puts(out, "<svg width=\"100%\" height=\"100%\"\n ");
	if (!rc)
		rc = pyro_buf_add(out, view, (size_t)(end + 1 - view));
	if (!rc)
		rc = pyro_buf_puts(out, "\n<script type=\"text/ecmascript\"><![CDATA[\n");
	if (!rc)
		rc = pyro_buf_add(out, pyro_graph_js, pyro_graph_js_len);
	if (!rc)
		rc = pyro_buf_puts(out, "]]></script>");
	if (!rc)
		rc = pyro_buf_add(out, end + 1,
				  svg->len - (size_t)(end + 1 - svg->data));
	return rc;
}

int pyro_graph_svg_render(const struct pyro_stacks *s, struct pyro_buf *out)
{
	struct pyro_buf dot = PYRO_BUF_INIT, safe = PYRO_BUF_INIT;
	struct pyro_buf svg = PYRO_BUF_INIT;
	size_t start = out->len;
	int rc = pyro_graph_dot_build(s, 1, &dot);

	if (!rc)
		rc = sanitize(&dot, &safe);
	if (rc)
		goto cleanup;
	pthread_mutex_lock(&gvc_lock);
	rc = layout(safe.data, &svg);
	pthread_mutex_unlock(&gvc_lock);
	if (!rc)
		rc = finish(&svg, out);
cleanup:
	if (rc)
		pyro_buf_truncate(out, start);  /* as it was (render.h) */
	pyro_buf_release(&dot);
	pyro_buf_release(&safe);
	pyro_buf_release(&svg);
	return rc;
}
