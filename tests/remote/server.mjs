// server.mjs - a Grafana Pyroscope query server for tests: querier.v1 over
// the Connect protocol (the official Node implementation), serving a
// directory of pprof profiles as an ingesting Pyroscope would.
//
//   node server.mjs --dir DIR --port-file FILE [--port N] [--proto DIR]
//        [--basic USER:PASSWORD] [--bearer TOKEN] [--tenant ID]
//        [--tls-cert PEM --tls-key PEM --tls-port-file FILE]
//
// The messages come from pyrofs's own proto/*.proto, compiled at start by
// protoc-c into a descriptor set that @bufbuild/protobuf loads at run time
// (no generated TypeScript). The port the server listens on is written to
// --port-file once it accepts connections (--port 0, the default, lets the
// kernel choose one).  With --tls-cert and --tls-key the same service (and
// the knobs below) is also served over HTTPS (node:https, HTTP/1.1) on a
// second port chosen by the kernel, written to --tls-port-file before the
// plain port is written, so a reader of the plain port file finds both.
//
// Ingestion, as Pyroscope does it for a pushed pprof file:
//   - DIR/<service>/.../*.pb.gz|*.pb|*.pprof: the first directory is the
//     service (label service_name); the time is the profile's time_nanos,
//     else a number of seconds in the file name, else the file's mtime;
//   - each sample type is a profile type "<name>:<type>:<unit>:<period
//     type>:<period unit>", where <name> is what Pyroscope's Go integration
//     calls it: process_cpu, memory, goroutines, mutex, block (contentions/
//     delay: "block" if the file name says block, else mutex), wall, or the
//     sample type itself;
//   - the samples of one file and type are split by their string labels
//     into series: each (file, type, label set) is one stored "profile row"
//     with labels service_name, __name__, __profile_type__, __type__,
//     __unit__, __period_type__, __period_unit__ and the sample's string
//     labels (numeric labels are not series labels: Pyroscope drops them);
//     samples whose value is 0 are not stored.
//
// Queries (times in milliseconds; a row at t is in [start, end], both ends
// inclusive, as Pyroscope's storage filters TimeNanos):
//   LabelNames, LabelValues, Series   over the rows matching any matcher
//   SelectSeries   one point per step boundary start + k*step that is the
//                  first at or after a row's time (Pyroscope's rangeSeries:
//                  a point at T holds the rows in (T - step, T]), rows in
//                  [start, end]; SUM or AVERAGE of the rows' totals per
//                  series (group_by labels, none: one series)
//   SelectMergeProfile  the per-stack sum of the matching rows in
//                  [start, end] as one pprof
//                  profile with the one sample type; samples keep no labels
//   GetProfileStats, ProfileTypes
// Label selectors: {a="x", b!="y", c=~"re", d!~"re"}.
//
// Test knobs (plain HTTP, not Connect):
//   POST /control?delay_ms=N&hold=1&fail=CODE&fail_status=N&html=1&drop=1
//        &json=1&fail_method=NAME    change the behaviour of every later call
//        (a parameter not given is reset): answer after N ms; hold every call
//        until POST /release; fail with the
//        Connect error CODE ("unavailable", ...); answer an HTML error page
//        with HTTP status fail_status (default 502); destroy the connection
//        without an answer; answer JSON where protobuf is expected; only for
//        method NAME when fail_method is given
//   POST /release  let the held calls go on
//   GET  /stats    JSON: calls per method, calls in flight now and at most
//                  at once, TCP connections accepted, every call's method and
//                  request digest, headers of the last call (authorization,
//                  x-scope-orgid)
//   POST /stats/reset
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
	const o = { port: 0, proto: path.join(HERE, "../../proto") };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i], v = argv[i + 1];
		switch (k) {
		case "--dir": o.dir = v; i++; break;
		case "--port": o.port = Number(v); i++; break;
		case "--port-file": o.portFile = v; i++; break;
		case "--proto": o.proto = v; i++; break;
		case "--basic": o.basic = v; i++; break;
		case "--bearer": o.bearer = v; i++; break;
		case "--tenant": o.tenant = v; i++; break;
		case "--tls-cert": o.tlsCert = v; i++; break;
		case "--tls-key": o.tlsKey = v; i++; break;
		case "--tls-port-file": o.tlsPortFile = v; i++; break;
		default: throw new Error(`unknown argument ${k}`);
		}
	}
	if (!o.dir) throw new Error("--dir is required");
	return o;
}

// The descriptors of proto/querier.proto and its imports, from protoc-c.
function loadRegistry(protoDir) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pyrofs-proto-"));
	const out = path.join(tmp, "querier.desc");
	try {
		execFileSync("protoc-c", [`--proto_path=${protoDir}`, "--include_imports",
			`--descriptor_set_out=${out}`, "querier.proto"]);
		return createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(out)));
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

const opts = parseArgs(process.argv.slice(2));
const registry = loadRegistry(opts.proto);
const Service = registry.getService("querier.v1.QuerierService");
const ProfileSchema = registry.getMessage("google.v1.Profile");

// ---- ingestion -------------------------------------------------------------

function profileName(sampleType, fileName) {
	const t = sampleType.toLowerCase();
	if (t === "cpu" || t === "samples") return "process_cpu";
	if (/^(alloc|inuse)_(objects|space)$/.test(t)) return "memory";
	if (t === "goroutine" || t === "goroutines") return "goroutines";
	if (t === "contentions" || t === "delay")
		return /block/i.test(fileName) ? "block" : "mutex";
	if (t === "wall") return "wall";
	return t;
}

function walk(dir, rel, out) {
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name), r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) walk(p, r, out);
		else if (e.isFile() && /\.(pb\.gz|pb|pprof)$/.test(e.name)) out.push([p, r]);
	}
	return out;
}

// rows: { service, typeId, ts, labels: Map, total: bigint, prof, samples: [i] }
function ingest(dir) {
	const rows = [];
	for (const [file, rel] of walk(dir, "", []).sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
		const service = rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : null;
		if (!service) continue;
		let data = fs.readFileSync(file);
		if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
		let prof;
		try {
			prof = fromBinary(ProfileSchema, data);
		} catch {
			continue;       // Pyroscope refuses the upload: nothing stored
		}
		const s = (i) => prof.stringTable[Number(i)] ?? "";
		let ts;
		if (prof.timeNanos !== 0n) ts = Number(prof.timeNanos / 1000000n);
		else {
			const m = /(\d{9,})/.exec(path.basename(file));
			ts = m ? Number(m[1]) * 1000 : Math.floor(fs.statSync(file).mtimeMs);
		}
		const pt = prof.periodType ? [s(prof.periodType.type), s(prof.periodType.unit)] : ["", ""];
		prof.sampleType.forEach((st, ti) => {
			const type = s(st.type), unit = s(st.unit);
			const name = profileName(type, path.basename(file));
			const typeId = `${name}:${type}:${unit}:${pt[0]}:${pt[1]}`;
			const bySet = new Map();
			prof.sample.forEach((sm, si) => {
				const v = sm.value[ti] ?? 0n;
				if (v === 0n) return;
				const lbls = [];
				for (const l of sm.label)
					if (l.str !== 0n) lbls.push([s(l.key), s(l.str)]);
				lbls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
				const key = JSON.stringify(lbls);
				let r = bySet.get(key);
				if (!r) {
					const labels = new Map([["service_name", service], ["__name__", name],
						["__profile_type__", typeId], ["__type__", type], ["__unit__", unit],
						["__period_type__", pt[0]], ["__period_unit__", pt[1]]]);
					for (const [k, v2] of lbls) if (!labels.has(k)) labels.set(k, v2);
					r = { service, typeId, typeIndex: ti, ts, labels, total: 0n, prof, samples: [] };
					bySet.set(key, r);
				}
				r.total += v;
				r.samples.push(si);
			});
			for (const r of bySet.values()) rows.push(r);
		});
	}
	rows.sort((a, b) => a.ts - b.ts);
	return rows;
}

const rows = ingest(opts.dir);

// ---- label selectors -------------------------------------------------------

function parseSelector(sel) {
	sel = (sel ?? "").trim();
	if (sel === "" || sel === "{}") return [];
	if (!sel.startsWith("{") || !sel.endsWith("}"))
		throw new ConnectError(`parse error: selector ${sel}`, Code.InvalidArgument);
	const body = sel.slice(1, -1), out = [];
	const re = /\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
	let m;
	while (re.lastIndex < body.length && (m = re.exec(body))) {
		const value = m[3].replace(/\\(.)/g, "$1");
		out.push({ name: m[1], op: m[2], value,
			re: m[2].includes("~") ? new RegExp(`^(?:${value})$`) : null });
	}
	if (re.lastIndex !== body.length && body.trim() !== "")
		throw new ConnectError(`parse error: selector ${sel}`, Code.InvalidArgument);
	return out;
}

function matches(row, ms) {
	for (const m of ms) {
		const v = row.labels.get(m.name) ?? "";
		const ok = m.op === "=" ? v === m.value : m.op === "!=" ? v !== m.value :
			m.op === "=~" ? m.re.test(v) : !m.re.test(v);
		if (!ok) return false;
	}
	return true;
}

// Rows matching any of the selectors (none: all), in [start, end] when set.
function select(matchers, start, end) {
	const sels = matchers.map(parseSelector);
	const s = Number(start), e = Number(end);
	return rows.filter((r) => (!s || r.ts >= s) && (!e || r.ts <= e) &&
		(sels.length === 0 || sels.some((ms) => matches(r, ms))));
}

function typeRows(typeId, selector, start, end) {
	if (!typeId) throw new ConnectError("missing profile type", Code.InvalidArgument);
	const ms = parseSelector(selector);
	return rows.filter((r) => r.typeId === typeId && matches(r, ms) &&
		r.ts >= Number(start) && r.ts <= Number(end));
}

// ---- merging profiles ------------------------------------------------------

// The per-stack sum of rows (one sample type), as one pprof profile:
// strings, functions, mappings and locations are interned by content.
function mergeRows(rs, typeId) {
	const strs = [""], strIdx = new Map([["", 0]]);
	const str = (x) => {
		let i = strIdx.get(x);
		if (i === undefined) { i = strs.length; strs.push(x); strIdx.set(x, i); }
		return BigInt(i);
	};
	const funcs = [], funcIdx = new Map(), maps = [], mapIdx = new Map();
	const locs = [], locIdx = new Map(), samples = new Map();
	const [, type, unit, ptype, punit] = typeId.split(":");
	let period = 0n;
	for (const r of rs) {
		const p = r.prof, s = (i) => p.stringTable[Number(i)] ?? "";
		const fById = new Map(p.function.map((f) => [f.id, f]));
		const mById = new Map(p.mapping.map((m) => [m.id, m]));
		const lById = new Map(p.location.map((l) => [l.id, l]));
		const fnId = (id) => {
			const f = fById.get(id);
			if (!f) return 0n;
			const k = JSON.stringify([s(f.name), s(f.systemName), s(f.filename), String(f.startLine)]);
			let n = funcIdx.get(k);
			if (n === undefined) {
				n = BigInt(funcs.length + 1);
				funcs.push({ id: n, name: str(s(f.name)), systemName: str(s(f.systemName)),
					filename: str(s(f.filename)), startLine: f.startLine });
				funcIdx.set(k, n);
			}
			return n;
		};
		const mapId = (id) => {
			const m = mById.get(id);
			if (!m) return 0n;
			const k = JSON.stringify([String(m.memoryStart), String(m.memoryLimit),
				String(m.fileOffset), s(m.filename), s(m.buildId)]);
			let n = mapIdx.get(k);
			if (n === undefined) {
				n = BigInt(maps.length + 1);
				maps.push({ ...m, id: n, filename: str(s(m.filename)), buildId: str(s(m.buildId)) });
				mapIdx.set(k, n);
			}
			return n;
		};
		const locId = (id) => {
			const l = lById.get(id);
			if (!l) return 0n;
			const lines = l.line.map((ln) => ({ functionId: fnId(ln.functionId), line: ln.line }));
			const mid = mapId(l.mappingId);
			const k = JSON.stringify([String(mid), String(l.address), l.isFolded,
				lines.map((ln) => [String(ln.functionId), String(ln.line)])]);
			let n = locIdx.get(k);
			if (n === undefined) {
				n = BigInt(locs.length + 1);
				locs.push({ id: n, mappingId: mid, address: l.address, line: lines, isFolded: l.isFolded });
				locIdx.set(k, n);
			}
			return n;
		};
		if (!period) period = p.period;
		for (const si of r.samples) {
			const sm = p.sample[si];
			const ids = sm.locationId.map(locId);
			const k = ids.join(",");
			const v = sm.value[r.typeIndex];
			const cur = samples.get(k);
			if (cur) cur.value[0] += v;
			else samples.set(k, { locationId: ids, value: [v], label: [] });
		}
	}
	const sampleType = [{ type: str(type), unit: str(unit) }];
	const periodType = { type: str(ptype), unit: str(punit) };
	return create(ProfileSchema, {
		sampleType, periodType, period,
		sample: [...samples.values()].filter((x) => x.value[0] !== 0n),
		mapping: maps, location: locs, function: funcs, stringTable: strs,
		timeNanos: rs.length ? BigInt(rs[0].ts) * 1000000n : 0n,
	});
}

// ---- the service -----------------------------------------------------------

function labelsOf(map, names) {
	const out = [];
	for (const [name, value] of [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
		if (!names || names.length === 0 || names.includes(name)) out.push({ name, value });
	return out;
}

// Pyroscope's rangeSeries: step boundaries start, start + step, ... <= end;
// a row belongs to the first boundary at or after its time.
function rangeSeries(rs, start, end, stepMs, avg, groupBy) {
	const series = new Map();
	for (const r of rs) {
		if (r.ts < start || r.ts > end) continue;
		const k = Math.max(0, Math.ceil((r.ts - start) / stepMs));
		const t = start + k * stepMs;
		if (t > end) continue;
		const lbls = groupBy.map((g) => ({ name: g, value: r.labels.get(g) ?? "" }))
			.filter((l) => l.value !== "");
		const key = JSON.stringify(lbls);
		let se = series.get(key);
		if (!se) { se = { labels: lbls, points: new Map() }; series.set(key, se); }
		const pt = se.points.get(t) ?? { sum: 0, n: 0 };
		pt.sum += Number(r.total);
		pt.n += 1;
		se.points.set(t, pt);
	}
	return [...series.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, se]) => ({
		labels: se.labels,
		points: [...se.points.entries()].sort((a, b) => a[0] - b[0]).map(([t, p]) => ({
			timestamp: BigInt(t), value: avg ? p.sum / p.n : p.sum })),
	}));
}

function checkAuth(ctx) {
	const h = ctx.requestHeader;
	if (opts.basic || opts.bearer) {
		const a = h.get("authorization") ?? "";
		const want = opts.basic ? `Basic ${Buffer.from(opts.basic).toString("base64")}` :
			`Bearer ${opts.bearer}`;
		if (a !== want) throw new ConnectError("invalid credentials", Code.Unauthenticated);
	}
	if (opts.tenant && h.get("x-scope-orgid") !== opts.tenant)
		throw new ConnectError("no org id", Code.Unauthenticated);
}

const impl = {
	profileTypes(req, ctx) {
		checkAuth(ctx);
		const seen = new Map();
		for (const r of select([], req.start, req.end)) {
			if (seen.has(r.typeId)) continue;
			const [name, sampleType, sampleUnit, periodType, periodUnit] = r.typeId.split(":");
			seen.set(r.typeId, { ID: r.typeId, name, sampleType, sampleUnit, periodType, periodUnit });
		}
		return { profileTypes: [...seen.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)) };
	},
	labelValues(req, ctx) {
		checkAuth(ctx);
		const vals = new Set();
		for (const r of select(req.matchers, req.start, req.end)) {
			const v = r.labels.get(req.name);
			if (v !== undefined && v !== "") vals.add(v);
		}
		return { names: [...vals].sort() };
	},
	labelNames(req, ctx) {
		checkAuth(ctx);
		const names = new Set();
		for (const r of select(req.matchers, req.start, req.end))
			for (const k of r.labels.keys()) names.add(k);
		return { names: [...names].sort() };
	},
	series(req, ctx) {
		checkAuth(ctx);
		const sets = new Map();
		for (const r of select(req.matchers, req.start, req.end)) {
			const l = labelsOf(r.labels, req.labelNames);
			sets.set(JSON.stringify(l), l);
		}
		return { labelsSet: [...sets.keys()].sort().map((k) => ({ labels: sets.get(k) })) };
	},
	selectMergeProfile(req, ctx) {
		checkAuth(ctx);
		return mergeRows(typeRows(req.profileTypeID, req.labelSelector, req.start, req.end),
			req.profileTypeID);
	},
	selectSeries(req, ctx) {
		checkAuth(ctx);
		if (!(req.step > 0)) throw new ConnectError("step must be positive", Code.InvalidArgument);
		const start = Number(req.start), end = Number(req.end);
		const ms = parseSelector(req.labelSelector);
		const rs = rows.filter((r) => r.typeId === req.profileTypeID && matches(r, ms));
		return { series: rangeSeries(rs, start, end, Math.round(req.step * 1000), req.aggregation === 1,
			req.groupBy) };
	},
	getProfileStats(req, ctx) {
		checkAuth(ctx);
		if (rows.length === 0) return { dataIngested: false };
		return { dataIngested: true, oldestProfileTime: BigInt(rows[0].ts),
			newestProfileTime: BigInt(rows[rows.length - 1].ts) };
	},
};

// ---- HTTP: knobs, statistics, then Connect ---------------------------------

let knobs = {};
const stats = { calls: {}, inFlight: 0, maxInFlight: 0, connections: 0, requests: [], headers: {} };
let held = [];

// Every call is recorded with a digest of its request message, so a test
// can tell whether one query was sent twice.
const recorded = {};
for (const m of Service.methods) {
	recorded[m.localName] = (req, ctx) => {
		stats.requests.push({ method: m.name,
			digest: createHash("sha256").update(toBinary(m.input, req)).digest("hex").slice(0, 16) });
		return impl[m.localName](req, ctx);
	};
}
const connect = connectNodeAdapter({ routes: (router) => router.service(Service, recorded) });

function json(res, status, obj) {
	res.writeHead(status, { "content-type": "application/json" });
	res.end(JSON.stringify(obj));
}

async function serve(req, res) {
	const url = new URL(req.url, "http://x");
	if (url.pathname === "/control" && req.method === "POST") {
		knobs = Object.fromEntries(url.searchParams.entries());
		return json(res, 200, knobs);
	}
	if (url.pathname === "/release" && req.method === "POST") {
		const n = held.length;
		held.forEach((go) => go());
		held = [];
		return json(res, 200, { released: n });
	}
	if (url.pathname === "/stats/reset" && req.method === "POST") {
		stats.calls = {}; stats.maxInFlight = stats.inFlight; stats.requests = [];
		stats.connections = 0;
		return json(res, 200, {});
	}
	if (url.pathname === "/stats") return json(res, 200, stats);

	const method = url.pathname.split("/").pop();
	stats.calls[method] = (stats.calls[method] ?? 0) + 1;
	stats.headers = { authorization: req.headers.authorization ?? null,
		"x-scope-orgid": req.headers["x-scope-orgid"] ?? null };
	stats.inFlight++;
	stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
	res.on("close", () => { stats.inFlight--; });

	const k = knobs.fail_method && knobs.fail_method !== method ? {} : knobs;
	if (k.hold) await new Promise((go) => held.push(go));
	if (k.delay_ms) await new Promise((r) => setTimeout(r, Number(k.delay_ms)));
	if (k.drop) return req.socket.destroy();
	if (k.html) {
		res.writeHead(Number(k.fail_status ?? 502), { "content-type": "text/html" });
		return res.end("<html><body><h1>502 Bad Gateway</h1></body></html>\n");
	}
	if (k.json) return json(res, 200, { status: "ok" });
	if (k.fail) {
		const code = Code[k.fail.replace(/(^|_)(.)/g, (_, __, c) => c.toUpperCase())];
		const err = new ConnectError(`injected failure: ${k.fail}`, code ?? Code.Unavailable);
		const status = { [Code.Unavailable]: 503, [Code.Unauthenticated]: 401,
			[Code.PermissionDenied]: 403, [Code.DeadlineExceeded]: 504,
			[Code.InvalidArgument]: 400, [Code.ResourceExhausted]: 429 }[err.code] ?? 500;
		const name = k.fail.toLowerCase();
		return json(res, status, { code: name, message: err.rawMessage });
	}
	return connect(req, res);
}

function handler(req, res) {
	serve(req, res).catch((e) => {
		if (!res.headersSent) json(res, 500, { code: "internal", message: String(e) });
	});
}

function setup(srv) {
	srv.keepAliveTimeout = 30000;
	srv.on("connection", () => { stats.connections++; });
	return srv;
}

const server = setup(http.createServer(handler));
const servers = [server];
let tlsPort = 0;

function listenPlain() {
	server.listen(opts.port, "127.0.0.1", () => {
		const port = server.address().port;
		if (opts.portFile) fs.writeFileSync(opts.portFile, `${port}\n`);
		process.stderr.write(`pyroscope test server on 127.0.0.1:${port}` +
			(tlsPort ? ` (https on ${tlsPort})` : "") + `: ${rows.length} rows\n`);
	});
}

if (opts.tlsCert && opts.tlsKey) {
	const tls = setup(https.createServer({ cert: fs.readFileSync(opts.tlsCert),
		key: fs.readFileSync(opts.tlsKey) }, handler));
	servers.push(tls);
	tls.listen(0, "127.0.0.1", () => {
		tlsPort = tls.address().port;
		if (opts.tlsPortFile) fs.writeFileSync(opts.tlsPortFile, `${tlsPort}\n`);
		listenPlain();
	});
} else {
	listenPlain();
}
for (const sig of ["SIGTERM", "SIGINT"])
	process.on(sig, () => {
		let n = servers.length;
		for (const s of servers) s.close(() => { if (--n === 0) process.exit(0); });
	});
