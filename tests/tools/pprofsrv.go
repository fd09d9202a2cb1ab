// pprofsrv - a small Go program serving net/http/pprof, for the tests of
// go tool pprof's own archive (tests/integration/producers.sh).
//
//	go build -o DIR/api tests/tools/pprofsrv.go && DIR/api PORTFILE
//
// Listens on 127.0.0.1 (a port the kernel picks), writes the port to
// PORTFILE once it listens, and keeps two goroutines busy (hashing, and
// allocating) so that CPU and heap profiles have samples.  Runs until
// killed.
package main

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

var keep [][]byte

func burn() {
	buf := make([]byte, 4096)
	for {
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
	}
}

func allocate() {
	for i := 0; ; i++ {
		keep = append(keep, make([]byte, 1024))
		if len(keep) > 4096 {
			keep = keep[:0]
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pprofsrv PORTFILE")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(os.Args[1]+".tmp", []byte(port), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Rename(os.Args[1]+".tmp", os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go burn()
	go allocate()
	fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
	os.Exit(1)
}
