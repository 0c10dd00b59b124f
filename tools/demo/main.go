// bpflame-demo is the built-in profiling target of bpflame: an HTTP API server whose handler
// chain resembles kube-apiserver's (logging, request info, authentication, authorization,
// REST handlers over an etcd-like store) and, with -load N, its own load generator.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"bpflame-demo/internal/api"
	"bpflame-demo/internal/authn"
	"bpflame-demo/internal/authz"
	"bpflame-demo/internal/filters"
	"bpflame-demo/internal/loadgen"
	"bpflame-demo/internal/request"
	"bpflame-demo/internal/storage"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0: pick a free one)")
	load := flag.Int("load", 0, "client goroutines sending requests to the server")
	duration := flag.Int("duration", 0, "exit after this many seconds (0: run until killed)")
	rules := flag.Int("rules", 300, "authorization rules to walk per request")
	verbose := flag.Bool("v", false, "print the request log on stderr")
	flag.Parse()

	logOut := io.Discard
	if *verbose {
		logOut = os.Stderr
	}
	// A discarding log.Logger skips formatting, so count bytes instead to keep the work real.
	logger := log.New(&sink{w: logOut}, "", log.LstdFlags|log.Lmicroseconds)

	store := storage.New()
	for i, ns := range []string{"default", "dev-a", "dev-b", "prod"} {
		for j := 0; j < 20; j++ {
			o := api.Sample(ns, fmt.Sprintf("pod-%d", j), i*100+j)
			raw, _ := json.Marshal(&o)
			store.Put(api.Key("pods", ns, o.Metadata.Name), raw)
		}
	}
	an := authn.New([]byte("bpflame-demo-signing-key-0123456789"))
	var h http.Handler = &api.Handler{Store: store}
	h = authz.WithAuthorization(h, authz.New(authz.DefaultRules(*rules)))
	h = authn.WithAuthentication(h, an)
	h = filters.WithRequestInfo(h)
	h = filters.WithLogging(h, logger)
	mux := http.NewServeMux()
	mux.Handle("/api/", h)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "bpflame-demo: %v\n", err)
		os.Exit(1)
	}
	base := "http://" + ln.Addr().String()
	dev := an.Issue(request.User{Name: "alice", Groups: []string{"developers"}}, 24*time.Hour)
	viewer := an.Issue(request.User{Name: "bob", Groups: []string{"viewers"}}, 24*time.Hour)
	fmt.Printf("listening on %s\ntoken: %s\n", base, dev)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		ctx, stop = context.WithTimeout(ctx, time.Duration(*duration)*time.Second)
		defer stop()
	}
	done := make(chan map[int]int64, 1)
	if *load > 0 {
		forged := dev[:len(dev)-2] + "xx"
		tokens := []string{dev, dev, dev, dev, dev, dev, viewer, viewer, forged}
		go func() { done <- loadgen.Run(ctx, base, tokens, *load) }()
	}
	<-ctx.Done()
	if *load > 0 {
		fmt.Printf("requests by status: %v\n", <-done)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
}

type sink struct{ w io.Writer }

func (s *sink) Write(p []byte) (int, error) { return s.w.Write(p) }
