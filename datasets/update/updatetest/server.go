// Package updatetest imitates, for tests, the data.gouv.fr API that
// `datasets update` reads: dataset descriptions, the stable resource
// redirects, and files served with HTTP Range support — and the failures a
// real download meets: a missing file, a body cut short, a wrong checksum,
// a server that stops sending.
package updatetest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// A File is a resource of a dataset.
type File struct {
	ID, Title, Name string
	Body            []byte
	Modified        time.Time
	// Behaviour of the file's URL: "" serves it (Range supported),
	// "missing" answers 404, "truncate" sends half of it then closes the
	// connection (once, then serves it whole), "badsum" gives the API a
	// wrong checksum, "stall" sends a tenth of it then waits for Stall,
	// "nochecksum" gives no checksum, "chunked" sends it without a
	// Content-Length, "chunkcut" sends half of it that way, a body that
	// looks whole to HTTP (only the size the API gives tells).
	Behaviour string
}

// A Server is the imitation API: Base is the API root to give to
// --api-base.
type Server struct {
	*httptest.Server
	Base string
	// Stall is how long a "stall" file waits.
	Stall time.Duration

	mu       sync.Mutex
	datasets map[string][]*File
	cut      map[string]bool
	// Requests counts requests per path; Ranges the Range headers seen.
	Requests map[string]int
	Ranges   []string
}

// New starts a server with the datasets given (by id or slug).
func New(datasets map[string][]*File) *Server {
	s := &Server{datasets: datasets, cut: map[string]bool{}, Requests: map[string]int{}, Stall: 5 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/1/datasets/r/{id}", s.redirect)
	mux.HandleFunc("/api/1/datasets/{slug}/", s.dataset)
	mux.HandleFunc("/files/{name}", s.file)
	s.Server = httptest.NewServer(s.count(mux))
	s.Base = s.URL + "/api/1"
	return s
}

func (s *Server) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.Requests[r.URL.Path]++
		if rg := r.Header.Get("Range"); rg != "" {
			s.Ranges = append(s.Ranges, r.URL.Path+" "+rg)
		}
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Count returns the number of requests for a path.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Requests[path]
}

// RangesSeen returns the Range requests received, as "path bytes=N-".
func (s *Server) RangesSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.Ranges...)
}

func (s *Server) find(pred func(*File) bool) *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fs := range s.datasets {
		for _, f := range fs {
			if pred(f) {
				return f
			}
		}
	}
	return nil
}

func (s *Server) dataset(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	files, ok := s.datasets[r.PathValue("slug")]
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message": "Not found"}`)
		return
	}
	type checksum struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	type resource struct {
		ID           string    `json:"id"`
		Title        string    `json:"title"`
		URL          string    `json:"url"`
		Format       string    `json:"format"`
		Filesize     int       `json:"filesize"`
		LastModified string    `json:"last_modified"`
		Checksum     *checksum `json:"checksum"`
		Type         string    `json:"type"`
	}
	var out struct {
		ID        string     `json:"id"`
		Title     string     `json:"title"`
		Resources []resource `json:"resources"`
	}
	out.ID, out.Title = r.PathValue("slug"), "Jeu de données de test"
	for _, f := range files {
		sum := sha1.Sum(f.Body)
		cs := &checksum{Type: "sha1", Value: hex.EncodeToString(sum[:])}
		switch f.Behaviour {
		case "badsum":
			cs.Value = strings.Repeat("0", 40)
		case "nochecksum":
			cs = nil
		}
		ext := f.Name[strings.LastIndexByte(f.Name, '.')+1:]
		out.Resources = append(out.Resources, resource{ID: f.ID, Title: f.Title, URL: s.URL + "/files/" + f.Name, Format: ext,
			Filesize: len(f.Body), LastModified: f.Modified.Format("2006-01-02T15:04:05.000000"), Checksum: cs, Type: "main"})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (s *Server) redirect(w http.ResponseWriter, r *http.Request) {
	f := s.find(func(f *File) bool { return f.ID == r.PathValue("id") })
	if f == nil {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/files/"+f.Name, http.StatusFound)
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	f := s.find(func(f *File) bool { return f.Name == r.PathValue("name") })
	if f == nil || f.Behaviour == "missing" {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha1.Sum(f.Body))
	switch f.Behaviour {
	case "truncate":
		s.mu.Lock()
		first := !s.cut[f.Name]
		s.cut[f.Name] = true
		s.mu.Unlock()
		if first && r.Header.Get("Range") == "" {
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Length", fmt.Sprint(len(f.Body)))
			w.WriteHeader(http.StatusOK)
			w.Write(f.Body[:len(f.Body)/2])
			// Returning with fewer bytes than announced makes the server
			// close the connection: the client sees the body cut short.
			return
		}
	case "chunked", "chunkcut":
		b := f.Body
		if f.Behaviour == "chunkcut" {
			b = b[:len(b)/2]
		}
		w.Header().Set("Last-Modified", f.Modified.UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusOK)
		for len(b) > 0 {
			n := min(len(b), 4096)
			w.Write(b[:n])
			w.(http.Flusher).Flush()
			b = b[n:]
		}
		return
	case "stall":
		w.Header().Set("Content-Length", fmt.Sprint(len(f.Body)))
		w.WriteHeader(http.StatusOK)
		w.Write(f.Body[:len(f.Body)/10])
		w.(http.Flusher).Flush()
		select {
		case <-time.After(s.Stall):
		case <-r.Context().Done():
		}
		return
	}
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, f.Name, f.Modified, bytes.NewReader(f.Body))
}
