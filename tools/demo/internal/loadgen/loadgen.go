// Package loadgen is the demo's client side: goroutines sending a mix of list, get and create
// requests (some with a forged token or a forbidden verb) to the server over loopback.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"sync"
	"sync/atomic"

	"bpflame-demo/internal/api"
)

// Run sends requests from n goroutines until ctx ends, then returns the count per status code.
func Run(ctx context.Context, base string, tokens []string, n int) map[int]int64 {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var counts [600]int64
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for ctx.Err() == nil {
				if code := once(ctx, client, base, tokens[rng.Intn(len(tokens))], rng); code > 0 {
					atomic.AddInt64(&counts[code%600], 1)
				}
			}
		}(int64(g))
	}
	wg.Wait()
	out := make(map[int]int64)
	for c := range counts {
		if counts[c] > 0 {
			out[c] = counts[c]
		}
	}
	return out
}

func once(ctx context.Context, c *http.Client, base, token string, rng *rand.Rand) int {
	ns := []string{"default", "dev-a", "dev-b", "prod"}[rng.Intn(4)]
	url := base + "/api/v1/namespaces/" + ns + "/pods"
	var body io.Reader
	method := http.MethodGet
	switch op := rng.Intn(10); {
	case op < 6: // list
	case op < 9:
		url += fmt.Sprintf("/pod-%d", rng.Intn(20))
	default:
		b, _ := json.Marshal(api.Sample(ns, fmt.Sprintf("load-%d", rng.Intn(20)), rng.Intn(1000)))
		method, body = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
