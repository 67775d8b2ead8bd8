package update

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// A Resource is one file of a dataset, as the API describes it.
type Resource struct {
	ID, Title, URL, Format string
	// Size is the file size the API gives, 0 when unknown.
	Size int64
	// Modified is the resource's last modification, zero when unknown.
	Modified time.Time
	// ChecksumType ("sha1", "sha256", "md5") and Checksum (hex) are set
	// when the API gives one.
	ChecksumType, Checksum string
}

// FileName is the resource's file name: the last element of its URL, else
// its title.
func (r Resource) FileName() string {
	if u, err := url.Parse(r.URL); err == nil {
		if b := path.Base(u.Path); b != "" && b != "/" && b != "." {
			return b
		}
	}
	return r.Title
}

// A Client looks sources up in the data.gouv.fr API.
type Client struct {
	// Base is the API root, e.g. https://www.data.gouv.fr/api/1.
	Base string
	HTTP *http.Client
}

// maxAPIBody bounds a dataset description: the largest are a few hundred
// KB (many resources).
const maxAPIBody = 16 << 20

type apiDataset struct {
	Title     string        `json:"title"`
	Resources []apiResource `json:"resources"`
}

type apiResource struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	URL          string `json:"url"`
	Format       string `json:"format"`
	Filesize     *int64 `json:"filesize"`
	LastModified string `json:"last_modified"`
	Checksum     *struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"checksum"`
}

// Resolve finds the file a source designates today: the resource of its
// dataset that matches its rule and was modified last, or its plain URL.
func (c *Client) Resolve(ctx context.Context, s Source) (Resource, error) {
	if s.URL != "" {
		return Resource{URL: s.URL, Title: path.Base(s.URL)}, nil
	}
	if s.Dataset == "" {
		return Resource{}, fmt.Errorf("source %s: no dataset and no URL", s.Key)
	}
	u := strings.TrimRight(c.Base, "/") + "/datasets/" + url.PathEscape(s.Dataset) + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Resource{}, fmt.Errorf("source %s: %v", s.Key, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Resource{}, netError(s, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := "the API may be down: try again later"
		if resp.StatusCode == http.StatusNotFound {
			hint = fmt.Sprintf("no such dataset: set sources.%s.dataset (or .url) in diagsante.yaml, or check --api-base", s.Key)
		}
		return Resource{}, fmt.Errorf("source %s: GET %s: HTTP %s: %s", s.Key, u, resp.Status, hint)
	}
	var d apiDataset
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxAPIBody))
	if err := dec.Decode(&d); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return Resource{}, err
		}
		return Resource{}, fmt.Errorf("source %s: GET %s: not a data.gouv.fr dataset description: %v", s.Key, u, err)
	}
	return pick(s, u, d)
}

// pick chooses among a dataset's resources the one the source's rule
// matches (title or file name) that was modified last.
func pick(s Source, u string, d apiDataset) (Resource, error) {
	re, err := s.matcher()
	if err != nil {
		return Resource{}, err
	}
	var best Resource
	found := false
	var titles []string
	for _, r := range d.Resources {
		res := Resource{ID: r.ID, Title: r.Title, URL: r.URL, Format: r.Format}
		titles = append(titles, r.Title)
		if r.URL == "" || !(re.MatchString(r.Title) || re.MatchString(res.FileName())) {
			continue
		}
		if r.Filesize != nil && *r.Filesize > 0 {
			res.Size = *r.Filesize
		}
		if r.LastModified != "" {
			t, err := parseTime(r.LastModified)
			if err != nil {
				return Resource{}, fmt.Errorf("source %s: %s: resource %q: last_modified %q: %v", s.Key, u, r.Title, r.LastModified, err)
			}
			res.Modified = t
		}
		if r.Checksum != nil && r.Checksum.Value != "" {
			res.ChecksumType = strings.ToLower(r.Checksum.Type)
			res.Checksum = strings.ToLower(r.Checksum.Value)
		}
		if !found || res.Modified.After(best.Modified) || res.Modified.Equal(best.Modified) && res.FileName() > best.FileName() {
			best, found = res, true
		}
	}
	if !found {
		return Resource{}, fmt.Errorf("source %s: %s: no resource matches %q among %d (%s): set sources.%s.match in diagsante.yaml",
			s.Key, u, s.Match, len(d.Resources), strings.Join(first(titles, 5), "; "), s.Key)
	}
	return best, nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// parseTime reads the API's dates: RFC 3339, with or without a zone.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a date")
}

const userAgent = "diagsante (https://github.com/diagsante/diagsante)"

// netError turns a transport error into a message that says what to do.
func netError(s Source, u string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("source %s: GET %s: %v (check the network and the proxy settings HTTPS_PROXY / HTTP_PROXY / NO_PROXY)", s.Key, u, err)
}
