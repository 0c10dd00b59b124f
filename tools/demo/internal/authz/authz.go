// Package authz is an RBAC-like authorizer: a request is allowed if any rule names one of
// the caller's subjects (user or group) and matches its verb, resource and namespace.
package authz

import (
	"fmt"
	"net/http"
	"strings"

	"bpflame-demo/internal/request"
)

// Rule fields hold patterns: "*" matches anything, "p*" any string starting with p.
type Rule struct {
	Subjects, Verbs, Resources, Namespaces []string
}

type Authorizer struct{ rules []Rule }

func New(rules []Rule) *Authorizer { return &Authorizer{rules: rules} }

// DefaultRules returns n rules for unrelated teams followed by the ones the demo users need,
// so that a typical decision walks the whole list as a large cluster's RBAC would.
func DefaultRules(n int) []Rule {
	rules := make([]Rule, 0, n+2)
	for i := 0; i < n; i++ {
		rules = append(rules, Rule{
			Subjects:   []string{fmt.Sprintf("group:team-%d", i), fmt.Sprintf("user:svc-%d", i)},
			Verbs:      []string{"get", "list", "watch"},
			Resources:  []string{"configmaps", "secrets", fmt.Sprintf("widgets%d", i)},
			Namespaces: []string{fmt.Sprintf("team-%d-*", i)},
		})
	}
	return append(rules,
		Rule{[]string{"group:developers"}, []string{"*"}, []string{"pods", "services"},
			[]string{"dev-*", "default"}},
		Rule{[]string{"group:viewers"}, []string{"get", "list"}, []string{"*"}, []string{"*"}})
}

func match(patterns []string, s string) bool {
	for _, p := range patterns {
		if p == "*" || p == s || (strings.HasSuffix(p, "*") && strings.HasPrefix(s, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

// Authorize reports whether u may do info.
func (a *Authorizer) Authorize(u *request.User, info *request.Info) bool {
	subjects := []string{"user:" + u.Name}
	for _, g := range u.Groups {
		subjects = append(subjects, "group:"+g)
	}
	for i := range a.rules {
		r := &a.rules[i]
		for _, s := range subjects {
			if match(r.Subjects, s) && match(r.Verbs, info.Verb) &&
				match(r.Resources, info.Resource) && match(r.Namespaces, info.Namespace) {
				return true
			}
		}
	}
	return false
}

// WithAuthorization answers 403 unless the authenticated user is allowed the request.
// Not inlined, so that profiles name its closure after this package, not main.
//
//go:noinline
func WithAuthorization(h http.Handler, a *Authorizer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, info := request.UserFrom(r.Context()), request.InfoFrom(r.Context())
		if u == nil || info == nil || !a.Authorize(u, info) {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
