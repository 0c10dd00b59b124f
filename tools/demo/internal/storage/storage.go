// Package storage is an in-memory key-value store standing in for etcd: values are the
// serialized objects, keys look like /registry/RESOURCE/NAMESPACE/NAME.
package storage

import (
	"sort"
	"strings"
	"sync"
)

type Store struct {
	mu   sync.Mutex
	data map[string][]byte
	rev  int64
}

func New() *Store { return &Store{data: make(map[string][]byte)} }

// Put stores a copy of val under key and returns the new store revision.
func (s *Store) Put(key string, val []byte) int64 {
	v := append([]byte(nil), val...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rev++
	s.data[key] = v
	return s.rev
}

// Get returns the value under key; callers must not modify it.
func (s *Store) Get(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok
}

// List returns the values whose keys start with prefix, in key order, like an etcd range read.
func (s *Store) List(prefix string) [][]byte {
	s.mu.Lock()
	keys := make([]string, 0, 64)
	for k := range s.data {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = s.data[k]
	}
	s.mu.Unlock()
	return vals
}
