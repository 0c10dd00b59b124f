// Package filters holds the generic outer filters of the chain (request logging and request
// info resolution), like k8s.io/apiserver/pkg/server/filters and httplog.
package filters

import (
	"log"
	"net/http"
	"time"

	"bpflame-demo/internal/request"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// WithLogging logs one line per request (method, URI, status, latency, user, agent) to l.
// Not inlined, so that profiles name its closure after this package, not main.
//
//go:noinline
func WithLogging(h http.Handler, l *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		user := "<anonymous>"
		if u := request.UserFrom(r.Context()); u != nil {
			user = u.Name
		}
		l.Printf("verb=%s URI=%q latency=%v resp=%d user=%q userAgent=%q srcIP=%q",
			r.Method, r.RequestURI, time.Since(start), sw.status, user, r.UserAgent(),
			r.RemoteAddr)
	})
}

// WithRequestInfo resolves the request into a request.Info and rejects paths it cannot parse.
// Not inlined, so that profiles name its closure after this package, not main.
//
//go:noinline
func WithRequestInfo(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := request.Parse(r)
		if !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		h.ServeHTTP(w, r.WithContext(request.WithInfo(r.Context(), info)))
	})
}
