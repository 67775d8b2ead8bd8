package update

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/diagsante/diagsante/datasets/apl"
	"github.com/diagsante/diagsante/datasets/finess"
	"github.com/diagsante/diagsante/datasets/rpps"
)

// A Kind is what a file holds, as the import needs to know it.
type Kind int

const (
	Unknown Kind = iota
	// FINESS is an establishments extraction: etalab CSV stock, the flat
	// 2021 or Occitanie layouts, or the FiNESS+ JSON structures flow.
	FINESS
	// RPPS is an Annuaire Santé person-activity extraction, plain or in
	// its zip.
	RPPS
	// RPPSSavoirFaire is the savoir-faire companion of the newest RPPS
	// extractions.
	RPPSSavoirFaire
	// APL is a DREES APL workbook.
	APL
)

func (k Kind) String() string {
	switch k {
	case FINESS:
		return "FINESS"
	case RPPS:
		return "RPPS"
	case RPPSSavoirFaire:
		return "RPPS savoir-faire"
	case APL:
		return "APL"
	}
	return "unknown"
}

// headLimit bounds the first line read to recognise a text file.
const headLimit = 64 << 10

// Detect tells what a file holds from its content — its first line, or for
// a zip its members' — never from its name: the official files change
// names, and users rename what they download.
func Detect(path string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return Unknown, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, headLimit)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		st, err := f.Stat()
		if err != nil {
			return Unknown, err
		}
		return detectZip(f, st.Size(), path)
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return Unknown, fmt.Errorf("%s: gzip: %v", path, err)
		}
		return detectText(bufio.NewReaderSize(zr, headLimit), path), nil
	}
	return detectText(br, path), nil
}

// detectText recognises a text file by its first line.
func detectText(br *bufio.Reader, name string) Kind {
	head, _ := br.Peek(headLimit)
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	if t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		// JSON: only the FiNESS+ flows are read; the reader checks the rest.
		low := bytes.ToLower(head)
		for _, k := range []string{`"pmej"`, `"gco"`, `"gcc"`, `"numfinessege"`, `"numfinesspm"`} {
			if bytes.Contains(low, []byte(k)) {
				return FINESS
			}
		}
		return Unknown
	}
	if finess.Sniff(bytes.TrimRight(line, "\r\n")) != finess.Unknown {
		return FINESS
	}
	if !bytes.Contains(line, []byte("|")) {
		return Unknown
	}
	if _, err := rpps.NewReader(bytes.NewReader(line), name); err == nil {
		return RPPS
	}
	if err := rpps.ReadSavoirFaire(bytes.NewReader(line), name, func(*rpps.SavoirFaire) error { return nil }); err == nil {
		return RPPSSavoirFaire
	}
	return Unknown
}

// detectZip recognises an xlsx workbook holding an APL sheet, or a zip of
// an RPPS extraction (a member whose first line is the person-activity
// header).
func detectZip(r io.ReaderAt, size int64, path string) (Kind, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Unknown, fmt.Errorf("%s: not a readable zip: %v", path, err)
	}
	for _, m := range zr.File {
		if m.Name == "xl/workbook.xml" {
			f, err := os.Open(path)
			if err != nil {
				return Unknown, err
			}
			defer f.Close()
			if _, _, err := apl.ReadWorkbookReader(f, path); err != nil {
				return Unknown, nil
			}
			return APL, nil
		}
	}
	for _, m := range zr.File {
		if m.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(m.Name), ".txt") {
			continue
		}
		rc, err := m.Open()
		if err != nil {
			continue
		}
		k := detectText(bufio.NewReaderSize(rc, headLimit), path+"!"+m.Name)
		rc.Close()
		if k == RPPS {
			return RPPS, nil
		}
	}
	return Unknown, nil
}
