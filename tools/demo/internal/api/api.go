// Package api serves list, get and create of Pod-like objects: it decodes what storage holds,
// and encodes JSON responses (gzipped when the client accepts it), as a REST registry does.
package api

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"bpflame-demo/internal/request"
	"bpflame-demo/internal/storage"
)

type Meta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	UID               string            `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	CreationTimestamp time.Time         `json:"creationTimestamp"`
}

type Container struct {
	Name   string            `json:"name"`
	Image  string            `json:"image"`
	Args   []string          `json:"args,omitempty"`
	Env    map[string]string `json:"env,omitempty"`
	Limits map[string]string `json:"limits,omitempty"`
}

type Condition struct {
	Type               string    `json:"type"`
	Status             string    `json:"status"`
	LastTransitionTime time.Time `json:"lastTransitionTime"`
}

type Object struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Metadata   Meta   `json:"metadata"`
	Spec       struct {
		NodeName   string      `json:"nodeName,omitempty"`
		Containers []Container `json:"containers"`
	} `json:"spec"`
	Status struct {
		Phase      string      `json:"phase"`
		Conditions []Condition `json:"conditions,omitempty"`
	} `json:"status"`
}

type List struct {
	Kind       string   `json:"kind"`
	APIVersion string   `json:"apiVersion"`
	Items      []Object `json:"items"`
}

// Sample returns a realistic object of about 1 KB of JSON.
func Sample(ns, name string, i int) Object {
	o := Object{Kind: "Pod", APIVersion: "v1"}
	o.Metadata = Meta{Name: name, Namespace: ns, UID: fmt.Sprintf("%08x-4c1d-9e2f-%012x", i, i),
		Labels:            map[string]string{"app": "web", "tier": "frontend", "pod-template-hash": "5d9c7"},
		Annotations:       map[string]string{"kubernetes.io/config.seen": "2024-01-01T00:00:00Z"},
		CreationTimestamp: time.Unix(1700000000+int64(i), 0).UTC()}
	o.Spec.NodeName = fmt.Sprintf("node-%d", i%7)
	for c := 0; c < 2; c++ {
		o.Spec.Containers = append(o.Spec.Containers, Container{Name: fmt.Sprintf("c%d", c),
			Image:  "registry.example.com/web:1.2.3",
			Args:   []string{"--port=8080", "--log-level=info", "--metrics"},
			Env:    map[string]string{"POD_NAME": name, "POD_NAMESPACE": ns, "GOMAXPROCS": "2"},
			Limits: map[string]string{"cpu": "500m", "memory": "256Mi"}})
	}
	o.Status.Phase = "Running"
	for _, t := range []string{"Initialized", "Ready", "ContainersReady", "PodScheduled"} {
		o.Status.Conditions = append(o.Status.Conditions,
			Condition{Type: t, Status: "True", LastTransitionTime: o.Metadata.CreationTimestamp})
	}
	return o
}

func Key(resource, ns, name string) string { return "/registry/" + resource + "/" + ns + "/" + name }

type Handler struct{ Store *storage.Store }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := request.InfoFrom(r.Context())
	switch info.Verb {
	case "list":
		var l List
		l.Kind, l.APIVersion = "PodList", "v1"
		for _, raw := range h.Store.List(Key(info.Resource, info.Namespace, "")) {
			var o Object
			if err := json.Unmarshal(raw, &o); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			l.Items = append(l.Items, o)
		}
		writeJSON(w, r, http.StatusOK, &l)
	case "get":
		raw, ok := h.Store.Get(Key(info.Resource, info.Namespace, info.Name))
		var o Object
		if !ok || json.Unmarshal(raw, &o) != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		writeJSON(w, r, http.StatusOK, &o)
	case "create":
		var o Object
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil || o.Metadata.Name == "" {
			http.Error(w, "bad object", http.StatusBadRequest)
			return
		}
		o.Metadata.Namespace, o.Metadata.CreationTimestamp = info.Namespace, time.Now().UTC()
		raw, _ := json.Marshal(&o)
		rev := h.Store.Put(Key(info.Resource, info.Namespace, o.Metadata.Name), raw)
		o.Metadata.ResourceVersion = fmt.Sprint(rev)
		writeJSON(w, r, http.StatusCreated, &o)
	}
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	gz := gzip.NewWriter(w)
	json.NewEncoder(gz).Encode(v)
	gz.Close()
}
