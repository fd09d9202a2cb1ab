package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---------------------------------------------------------------- api ----
// An HTTP-ish API: an accept loop hands requests over an unbuffered channel
// to 8 workers; handlers share an RWMutex-protected user cache and a
// Mutex-protected stats table, and push access-log lines to a slow logger.

type User struct {
	ID      int       `json:"id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Roles   []string  `json:"roles"`
	Created time.Time `json:"created"`
}

type Item struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

type Order struct {
	ID     int     `json:"id"`
	UserID int     `json:"user_id"`
	Items  []Item  `json:"items"`
	Total  float64 `json:"total"`
	Status string  `json:"status"`
}

type request struct {
	endpoint string
	body     []byte
}

var (
	userCache = struct {
		sync.RWMutex
		m map[int]*User
	}{m: map[int]*User{}}
	statsMu     sync.Mutex
	stats       = map[string][]time.Duration{}
	searchIndex = map[string][]int{}
	accessLog   = make(chan string, 4)
)

var words = strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")

func startAPI() {
	for i := 0; i < 1000; i++ {
		for j := 0; j < 3; j++ {
			w := words[(i*7+j*13)%len(words)]
			searchIndex[w] = append(searchIndex[w], i)
		}
	}
	queue := make(chan request)
	go acceptLoop(queue)
	go accessLogger()
	for i := 0; i < 8; i++ {
		go apiWorker(queue)
	}
}

func acceptLoop(queue chan<- request) {
	rng := rand.New(rand.NewSource(1))
	bodies := map[string][][]byte{}
	for i := 0; i < 64; i++ {
		ids := make([]int, 8+rng.Intn(9))
		for k := range ids {
			ids[k] = rng.Intn(5000)
		}
		b, _ := json.Marshal(map[string]any{"ids": ids})
		bodies["/users"] = append(bodies["/users"], b)
		b, _ = json.Marshal(map[string]any{"user_id": rng.Intn(5000), "limit": 20 + rng.Intn(30)})
		bodies["/orders"] = append(bodies["/orders"], b)
		b, _ = json.Marshal(map[string]any{"q": words[rng.Intn(len(words))] + " " + words[rng.Intn(len(words))]})
		bodies["/search"] = append(bodies["/search"], b)
	}
	endpoints := []string{"/users", "/users", "/orders", "/search"}
	for {
		ep := endpoints[rng.Intn(len(endpoints))]
		queue <- request{ep, bodies[ep][rng.Intn(64)]}
	}
}

func apiWorker(queue <-chan request) {
	for r := range queue {
		pprof.Do(context.Background(), pprof.Labels("endpoint", r.endpoint), func(ctx context.Context) {
			start := time.Now()
			var resp []byte
			switch r.endpoint {
			case "/users":
				resp = handleUsers(r.body)
			case "/orders":
				resp = handleOrders(r.body)
			case "/search":
				resp = handleSearch(r.body)
			}
			d := time.Since(start)
			recordStats(r.endpoint, d)
			accessLog <- fmt.Sprintf("GET %s 200 %d %s", r.endpoint, len(resp), d)
		})
	}
}

func handleUsers(body []byte) []byte {
	var q struct{ IDs []int }
	if err := json.Unmarshal(body, &q); err != nil {
		panic(err)
	}
	users := make([]*User, 0, len(q.IDs))
	for _, id := range q.IDs {
		users = append(users, lookupUser(id))
	}
	if rand.Intn(50) == 0 {
		evictUsers()
	}
	return renderJSON(map[string]any{"users": users})
}

func lookupUser(id int) *User {
	userCache.RLock()
	u := userCache.m[id]
	userCache.RUnlock()
	if u != nil {
		return u
	}
	u = loadUser(id)
	userCache.Lock()
	userCache.m[id] = u
	userCache.Unlock()
	return u
}

func loadUser(id int) *User {
	var b strings.Builder
	for i := 0; i < 3; i++ {
		b.WriteString(words[(id+i)%len(words)])
	}
	name := b.String()
	return &User{ID: id, Name: name, Email: strings.ToLower(name) + "@example.com",
		Roles: []string{"user", words[id%len(words)]}, Created: time.Unix(int64(1.6e9)+int64(id)*3600, 0)}
}

func evictUsers() {
	userCache.Lock()
	defer userCache.Unlock()
	n := 0
	for id := range userCache.m {
		delete(userCache.m, id)
		if n++; n == 200 {
			break
		}
	}
}

func handleOrders(body []byte) []byte {
	var q struct {
		UserID int `json:"user_id"`
		Limit  int
	}
	if err := json.Unmarshal(body, &q); err != nil {
		panic(err)
	}
	orders := loadOrders(q.UserID, q.Limit)
	sortOrders(orders)
	return renderJSON(map[string]any{"user": lookupUser(q.UserID), "orders": orders})
}

func loadOrders(user, n int) []Order {
	rng := rand.New(rand.NewSource(int64(user)))
	orders := make([]Order, n)
	for i := range orders {
		o := &orders[i]
		o.ID, o.UserID, o.Status = user*1000+i, user, []string{"new", "paid", "shipped"}[rng.Intn(3)]
		for j := rng.Intn(5) + 1; j > 0; j-- {
			it := Item{SKU: "SKU-" + strconv.Itoa(rng.Intn(99999)), Qty: rng.Intn(4) + 1, Price: float64(rng.Intn(10000)) / 100}
			o.Items = append(o.Items, it)
			o.Total += float64(it.Qty) * it.Price
		}
	}
	return orders
}

func sortOrders(orders []Order) {
	sort.Slice(orders, func(i, j int) bool { return orders[i].Total > orders[j].Total })
	for i := range orders {
		sort.Slice(orders[i].Items, func(a, b int) bool { return orders[i].Items[a].SKU < orders[i].Items[b].SKU })
	}
}

func handleSearch(body []byte) []byte {
	var q struct{ Q string }
	if err := json.Unmarshal(body, &q); err != nil {
		panic(err)
	}
	hits := map[int]int{}
	for _, t := range strings.Fields(strings.ToLower(q.Q)) {
		for _, id := range searchIndex[t] {
			hits[id]++
		}
	}
	ids := make([]int, 0, len(hits))
	for id := range hits {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if hits[ids[i]] != hits[ids[j]] {
			return hits[ids[i]] > hits[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > 50 {
		ids = ids[:50]
	}
	snippets := make([]string, len(ids))
	for i, id := range ids {
		snippets[i] = buildSnippet(id, q.Q)
	}
	return renderJSON(map[string]any{"query": q.Q, "results": snippets})
}

func buildSnippet(id int, q string) string {
	var b strings.Builder
	b.WriteString("#")
	b.WriteString(strconv.Itoa(id))
	b.WriteString(": ...")
	for i := 0; i < 8; i++ {
		b.WriteString(words[(id+i)%len(words)])
		b.WriteByte(' ')
	}
	b.WriteString(strings.ToUpper(q))
	return b.String()
}

func renderJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// recordStats keeps a per-endpoint latency window and its p99 under a single
// lock: a classic contention point.
func recordStats(endpoint string, d time.Duration) {
	statsMu.Lock()
	defer statsMu.Unlock()
	w := append(stats[endpoint], d)
	if len(w) > 256 {
		w = w[len(w)-256:]
	}
	stats[endpoint] = w
	s := append([]time.Duration(nil), w...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	stats[endpoint+":p99"] = s[len(s)*99/100:]
}

func accessLogger() {
	var buf bytes.Buffer
	for line := range accessLog {
		buf.WriteString(time.Now().UTC().Format(time.RFC3339Nano))
		buf.WriteByte(' ')
		buf.WriteString(line)
		buf.WriteByte('\n')
		if buf.Len() > 64<<10 {
			buf.Reset()
		}
		time.Sleep(20 * time.Microsecond) // a slow disk
	}
}

// ------------------------------------------------------------ billing ----
// CPU-heavy invoicing: a generator feeds a worker pool over a channel; each
// worker does big.Int interest, sha256 signing and gzip compression, then
// posts to a Mutex-protected ledger and hands the result to a reconciler.

type Invoice struct {
	ID       int      `json:"id"`
	Customer string   `json:"customer"`
	Plan     string   `json:"plan"`
	Lines    []string `json:"lines"`
	Cents    string   `json:"cents"`
	Sig      string   `json:"sig,omitempty"`
}

var (
	ledgerMu   sync.Mutex
	ledger     []string
	ledgerHead [32]byte
	balance    = new(big.Int)
	modulus, _ = new(big.Int).SetString("170141183460469231731687303715884105727", 10) // 2^127-1
)

func startBilling() {
	jobs := make(chan *Invoice, 2)
	results := make(chan []byte)
	go generateInvoices(jobs)
	for i := 0; i < 4; i++ {
		go billingWorker(jobs, results)
	}
	go reconcile(results)
}

func generateInvoices(jobs chan<- *Invoice) {
	rng := rand.New(rand.NewSource(2))
	plans := []string{"free", "pro", "enterprise"}
	for id := 1; ; id++ {
		inv := &Invoice{ID: id, Customer: "cust-" + strconv.Itoa(rng.Intn(900)), Plan: plans[rng.Intn(3)]}
		for i := rng.Intn(20) + 5; i > 0; i-- {
			inv.Lines = append(inv.Lines, fmt.Sprintf("%s x%d @ %d.%02d", words[rng.Intn(len(words))], rng.Intn(9)+1, rng.Intn(500), rng.Intn(100)))
		}
		jobs <- inv
	}
}

func billingWorker(jobs <-chan *Invoice, results chan<- []byte) {
	for inv := range jobs {
		pprof.Do(context.Background(), pprof.Labels("plan", inv.Plan), func(context.Context) {
			results <- processInvoice(inv)
		})
	}
}

func processInvoice(inv *Invoice) []byte {
	inv.Cents = computeInterest(inv).String()
	inv.Sig = signInvoice(inv)
	postLedger(inv)
	return compressInvoice(inv)
}

func computeInterest(inv *Invoice) *big.Int {
	principal := big.NewInt(int64(inv.ID)*7919 + int64(len(inv.Lines))*104729)
	rate := new(big.Int).Exp(big.NewInt(1000003), big.NewInt(int64(inv.ID%64)+365), modulus)
	r := new(big.Int).Mul(principal, rate)
	for i := 0; i < 12; i++ { // monthly compounding
		r.Mul(r, big.NewInt(10041)).Div(r, big.NewInt(10000))
	}
	return r.Mod(r, modulus)
}

func signInvoice(inv *Invoice) string {
	b, _ := json.Marshal(inv)
	sum := sha256.Sum256(b)
	for i := 0; i < 3000; i++ { // key stretching
		sum = sha256.Sum256(sum[:])
	}
	return hex.EncodeToString(sum[:])
}

func compressInvoice(inv *Invoice) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	for i := 0; i < 4; i++ { // the invoice plus its PDF-ish rendering
		if err := enc.Encode(inv); err != nil {
			panic(err)
		}
	}
	zw.Close()
	return buf.Bytes()
}

func postLedger(inv *Invoice) {
	amount, _ := new(big.Int).SetString(inv.Cents, 10)
	ledgerMu.Lock()
	defer ledgerMu.Unlock()
	entry := fmt.Sprintf("%d %s %s %x", inv.ID, inv.Customer, inv.Cents, ledgerHead[:8])
	ledgerHead = sha256.Sum256(append(ledgerHead[:], entry...))
	for i := 0; i < 200; i++ { // chain hash, under the lock
		ledgerHead = sha256.Sum256(ledgerHead[:])
	}
	balance.Add(balance, amount).Mod(balance, modulus)
	if ledger = append(ledger, entry); len(ledger) > 1000 {
		ledger = append(ledger[:0], ledger[500:]...)
	}
}

func reconcile(results <-chan []byte) {
	var total int
	for b := range results {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			panic(err)
		}
		var inv Invoice
		if err := json.NewDecoder(zr).Decode(&inv); err != nil {
			panic(err)
		}
		total += len(inv.Lines)
		time.Sleep(50 * time.Microsecond) // waits on the bank's API
	}
}

// -------------------------------------------------------------- leaky ----
// A login service that leaks slowly: every session goes into sessionCache
// and every login event into loginHistory, and neither is ever pruned.
// Requests arrive at a fixed rate, so the leak grows steadily with time.

type Session struct {
	Token   string
	User    string
	Created time.Time
	Claims  map[string]string
	Scratch []byte
}

var (
	sessionMu    sync.Mutex
	sessionCache = map[string]*Session{} // LEAK: never pruned
	historyMu    sync.Mutex
	loginHistory [][]byte // LEAK: never truncated
)

func startLeaky() {
	logins := make(chan []byte, 8)
	go loginTraffic(logins)
	for i := 0; i < 4; i++ {
		go loginWorker(logins)
	}
	go expireSessions()
}

// expireSessions is meant to prune old sessions but only counts them (the
// bug): it walks the ever-growing cache under the lock, so contention on
// sessionMu grows with the leak.
func expireSessions() {
	for range time.NewTicker(50 * time.Millisecond).C {
		expired := 0
		sessionMu.Lock()
		for _, s := range sessionCache {
			if time.Since(s.Created) > time.Second {
				expired++
			}
		}
		sessionMu.Unlock()
		_ = expired
	}
}

// loginTraffic emits ~3000 logins per second.
func loginTraffic(logins chan<- []byte) {
	rng := rand.New(rand.NewSource(3))
	tick := time.NewTicker(2 * time.Millisecond)
	for range tick.C {
		for i := 0; i < 6; i++ {
			b, _ := json.Marshal(map[string]string{"user": fmt.Sprintf("user%05d", rng.Intn(100000)), "password": words[rng.Intn(len(words))]})
			logins <- b
		}
	}
}

func loginWorker(logins <-chan []byte) {
	for b := range logins {
		handleLogin(b)
	}
}

func handleLogin(body []byte) {
	var req struct{ User, Password string }
	if err := json.Unmarshal(body, &req); err != nil {
		panic(err)
	}
	h := hashPassword(req.User, req.Password)
	s := newSession(req.User, h)
	cacheSession(s)
	retainHistory(req.User, s.Token)
	_ = renderProfilePage(s) // garbage, freed
}

func hashPassword(user, pw string) [32]byte {
	sum := sha256.Sum256([]byte(user + ":" + pw))
	for i := 0; i < 1500; i++ {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

func newSession(user string, h [32]byte) *Session {
	return &Session{Token: hex.EncodeToString(h[:16]) + strconv.FormatInt(time.Now().UnixNano(), 36), User: user,
		Created: time.Now(), Claims: map[string]string{"sub": user, "scope": "read write"}, Scratch: make([]byte, 64)}
}

func cacheSession(s *Session) {
	sessionMu.Lock()
	sessionCache[s.Token] = s
	sessionMu.Unlock()
}

func retainHistory(user, token string) {
	rec := []byte(time.Now().UTC().Format(time.RFC3339) + " login " + user + " " + token)
	historyMu.Lock()
	loginHistory = append(loginHistory, rec)
	historyMu.Unlock()
}

func renderProfilePage(s *Session) string {
	var b strings.Builder
	page, _ := json.MarshalIndent(s, "", "  ")
	b.Write(page)
	for k, v := range s.Claims {
		b.WriteString(k + "=" + v + "\n")
	}
	b.WriteString(strings.Repeat("<div class=\"row\"></div>\n", 40))
	return b.String()
}
