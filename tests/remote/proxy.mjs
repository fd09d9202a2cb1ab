// proxy.mjs - a tiny HTTP proxy for the remote tests: forwards absolute-URI
// requests (what a client sends to an http_proxy for an http:// URL) and
// tunnels CONNECT (for https://), counting both, so a test can tell that
// pyrofs's queries went through the proxy named in its environment.
//
//   node proxy.mjs --port-file FILE
//
// GET /stats (an ordinary request, not a proxied one) answers JSON:
// {"forwarded": N, "connects": N, "targets": ["127.0.0.1:PORT", ...]}.
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";

let portFile = null;
for (let i = 2; i < process.argv.length; i++)
	if (process.argv[i] === "--port-file") portFile = process.argv[++i];

const stats = { forwarded: 0, connects: 0, targets: [] };

const proxy = http.createServer((req, res) => {
	if (!/^https?:\/\//.test(req.url)) {
		res.writeHead(req.url === "/stats" ? 200 : 404, { "content-type": "application/json" });
		return res.end(JSON.stringify(stats));
	}
	const u = new URL(req.url);
	stats.forwarded++;
	stats.targets.push(u.host);
	const up = http.request({ host: u.hostname, port: u.port, method: req.method,
		path: u.pathname + u.search, headers: req.headers }, (r) => {
		res.writeHead(r.statusCode, r.headers);
		r.pipe(res);
	});
	up.on("error", () => { res.writeHead(502); res.end(); });
	req.pipe(up);
});
proxy.on("connect", (req, sock, head) => {
	const [host, port] = req.url.split(":");
	stats.connects++;
	stats.targets.push(req.url);
	const up = net.connect(Number(port), host, () => {
		sock.write("HTTP/1.1 200 Connection Established\r\n\r\n");
		if (head.length) up.write(head);
		up.pipe(sock);
		sock.pipe(up);
	});
	up.on("error", () => sock.destroy());
	sock.on("error", () => up.destroy());
});
proxy.listen(0, "127.0.0.1", () => {
	if (portFile) fs.writeFileSync(portFile, `${proxy.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
