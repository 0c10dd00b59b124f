// Package request carries per-request facts (who calls, what they ask for) down the
// handler chain, like k8s.io/apiserver/pkg/endpoints/request.
package request

import (
	"context"
	"net/http"
	"strings"
)

// User is an authenticated caller.
type User struct {
	Name   string
	Groups []string
}

// Info is what a request asks for: verb, resource, namespace and object name.
type Info struct {
	Verb, Resource, Namespace, Name string
}

type key int

const (
	userKey key = iota
	infoKey
)

func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}
func WithInfo(ctx context.Context, i *Info) context.Context {
	return context.WithValue(ctx, infoKey, i)
}
func UserFrom(ctx context.Context) *User { u, _ := ctx.Value(userKey).(*User); return u }
func InfoFrom(ctx context.Context) *Info { i, _ := ctx.Value(infoKey).(*Info); return i }

// Parse resolves METHOD /api/v1/namespaces/NS/RESOURCE[/NAME]; ok is false for any other shape.
func Parse(r *http.Request) (info *Info, ok bool) {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(p) < 5 || len(p) > 6 || p[0] != "api" || p[1] != "v1" || p[2] != "namespaces" {
		return nil, false
	}
	info = &Info{Namespace: p[3], Resource: p[4]}
	if len(p) == 6 {
		info.Name = p[5]
	}
	switch {
	case r.Method == http.MethodGet && info.Name != "":
		info.Verb = "get"
	case r.Method == http.MethodGet:
		info.Verb = "list"
	case r.Method == http.MethodPost && info.Name == "":
		info.Verb = "create"
	default:
		return nil, false
	}
	return info, true
}
