// Package authn checks bearer tokens of the form base64(name|group,...|expiry).base64(mac),
// where mac is HMAC-SHA256 of the payload under a server key.
package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bpflame-demo/internal/request"
)

var b64 = base64.RawURLEncoding

type Authenticator struct{ key []byte }

func New(key []byte) *Authenticator { return &Authenticator{key: key} }

func (a *Authenticator) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write(payload)
	return m.Sum(nil)
}

// Issue returns a token for u valid for ttl.
func (a *Authenticator) Issue(u request.User, ttl time.Duration) string {
	payload := []byte(u.Name + "|" + strings.Join(u.Groups, ",") + "|" +
		strconv.FormatInt(time.Now().Add(ttl).Unix(), 10))
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(a.mac(payload))
}

// AuthenticateToken returns the token's user, or an error if it is malformed, forged or expired.
func (a *Authenticator) AuthenticateToken(tok string) (*request.User, error) {
	p64, m64, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, errors.New("malformed token")
	}
	payload, err1 := b64.DecodeString(p64)
	mac, err2 := b64.DecodeString(m64)
	if err1 != nil || err2 != nil {
		return nil, errors.New("malformed token")
	}
	if !hmac.Equal(mac, a.mac(payload)) { // constant time
		return nil, errors.New("bad signature")
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 3 {
		return nil, errors.New("malformed payload")
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return nil, errors.New("token expired")
	}
	return &request.User{Name: f[0], Groups: strings.Split(f[1], ",")}, nil
}

// WithAuthentication answers 401 unless the Authorization header holds a valid bearer token.
// Not inlined, so that profiles name its closure after this package, not main.
//
//go:noinline
func WithAuthentication(h http.Handler, a *Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := r.Header.Get("Authorization")
		u, err := a.AuthenticateToken(strings.TrimPrefix(hdr, "Bearer "))
		if !strings.HasPrefix(hdr, "Bearer ") || err != nil {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r.WithContext(request.WithUser(r.Context(), u)))
	})
}
