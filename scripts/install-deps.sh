#!/usr/bin/env bash
# Install the Debian packages pyrofs needs to build, test and run; idempotent.
#   scripts/install-deps.sh              build + test dependencies
#   scripts/install-deps.sh --peers      also the comparison peers (go, chromium, NYTProf)
#   scripts/install-deps.sh --demo-gen   also golang-go, to regenerate demo/archive
#   scripts/install-deps.sh --pprof      also golang-go (go tool pprof) and linux-perf (perf script), the peers make check compares with
#   scripts/install-deps.sh --browser    also chromium (+ nodejs, npm if absent) for make browser-test
#   scripts/install-deps.sh --desktop    also Xvfb, PCManFM, ImageMagick, xdotool, the SVG thumbnailer for make desktop-test
#   scripts/install-deps.sh --deb        also debhelper, dpkg-dev, lintian for make deb, make deb-test
set -euo pipefail

pkgs=(build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev libfuse3-dev
      fuse3 zlib1g-dev libcmocka-dev libxml2-utils valgrind attr python3
      clang libclang-rt-14-dev    # clang + runtime: libFuzzer targets (make fuzz)
      libcurl4-openssl-dev        # the remote source (Pyroscope over HTTP)
      libgraphviz-dev             # graph.svg: Graphviz's dot layout in-process (libgvc)
      libpcre2-dev                # RE2-syntax regexes of focus=, hide=, ... (PCRE2)
      libisal-dev                 # ISA-L's igzip: inflating profiles (model/gunzip.c)
      curl                        # the remote mount test's knobs
      openssl                     # the remote tests' TLS certificate
      openjdk-17-jdk-headless)    # java, javac, jfr: the JFR mount test's recordings
# The Pyroscope test server (tests/remote) needs node and npm; a node from
# elsewhere (NodeSource's bundles npm) is as good, and Debian's npm would
# conflict with it.
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
for arg in "$@"; do
	case "$arg" in
	--peers) pkgs+=(golang-go chromium libdevel-nytprof-perl) ;;
	--demo-gen) pkgs+=(golang-go) ;;
	--pprof) pkgs+=(golang-go linux-perf) ;;
	--browser)
		pkgs+=(chromium)
		command -v node >/dev/null || pkgs+=(nodejs)
		command -v npm >/dev/null || pkgs+=(npm) ;;
	--desktop) pkgs+=(xvfb pcmanfm imagemagick xdotool x11-utils dbus-x11 libgdk-pixbuf2.0-bin librsvg2-common) ;;
	--deb) pkgs+=(debhelper dpkg-dev lintian) ;;
	-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "install-deps: unknown option: $arg" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	[[ " ${missing[*]} " == *" $p "* ]] && continue
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all dependencies present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
	exit 1
fi

"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}"
