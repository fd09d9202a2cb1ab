// Command demogen simulates one service doing real work and writes real
// runtime/pprof profiles of it, round after round, like a service scraped by
// a continuous profiler. Run one process per service (scripts/make-demo.sh):
//
//	demogen -service api -out demo/archive -rounds 4 -interval 2s
//
// Each round writes cpu-, heap-, goroutine-, mutex- and block-<unix>.pb.gz
// (gzipped pprof protobuf) into OUT/SERVICE/, or OUT/SERVICE/YYYY/MM/DD/ with
// -layout date. Mutex, block and heap allocation counters are cumulative since
// process start, as in a real service.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var services = map[string]func(){
	"api":     startAPI,
	"billing": startBilling,
	"leaky":   startLeaky,
}

func main() {
	service := flag.String("service", "", "service to simulate: api, billing or leaky")
	out := flag.String("out", "", "archive root; profiles go to OUT/SERVICE/...")
	rounds := flag.Int("rounds", 4, "number of profiling rounds")
	interval := flag.Duration("interval", 2*time.Second, "pause between rounds")
	cpuFor := flag.Duration("cpu", 2*time.Second, "length of each CPU profile")
	layout := flag.String("layout", "flat", "flat: OUT/SERVICE/x.pb.gz; date: OUT/SERVICE/YYYY/MM/DD/x.pb.gz")
	flag.Parse()
	start, ok := services[*service]
	if !ok || *out == "" || *rounds < 1 || (*layout != "flat" && *layout != "date") {
		flag.Usage()
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("demogen " + *service + ": ")

	runtime.MemProfileRate = 4096
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(10000) // sample blocking events, all those >= 10µs

	start()
	time.Sleep(300 * time.Millisecond) // let the workload warm up

	for r := 0; r < *rounds; r++ {
		if r > 0 {
			time.Sleep(*interval)
		}
		dir := filepath.Join(*out, *service)
		if *layout == "date" {
			dir = filepath.Join(dir, time.Now().UTC().Format("2006/01/02"))
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		writeCPU(dir, *cpuFor)
		runtime.GC() // so inuse_* reflect live memory now
		for _, p := range []struct{ name, file string }{
			{"heap", "heap"}, {"goroutine", "goroutine"}, {"mutex", "mutex"}, {"block", "block"},
		} {
			write(dir, p.file, func(f *os.File) error { return pprof.Lookup(p.name).WriteTo(f, 0) })
		}
		log.Printf("round %d/%d written to %s", r+1, *rounds, dir)
	}
}

func writeCPU(dir string, d time.Duration) {
	f, err := os.CreateTemp(dir, ".cpu-*")
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	time.Sleep(d)
	pprof.StopCPUProfile()
	finish(f, filepath.Join(dir, fmt.Sprintf("cpu-%d.pb.gz", time.Now().Unix())))
}

func write(dir, kind string, fn func(*os.File) error) {
	f, err := os.CreateTemp(dir, "."+kind+"-*")
	if err != nil {
		log.Fatal(err)
	}
	if err := fn(f); err != nil {
		log.Fatal(err)
	}
	finish(f, filepath.Join(dir, fmt.Sprintf("%s-%d.pb.gz", kind, time.Now().Unix())))
}

// finish closes a temp file and renames it into place, so a watcher never
// sees a half-written profile.
func finish(f *os.File, name string) {
	if err := f.Chmod(0o644); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		log.Fatal(err)
	}
}
