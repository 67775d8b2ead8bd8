package rpps

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/flate"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

// A Kind is the table an Annuaire Santé file holds, as its header tells.
type Kind int

// Kinds of Annuaire Santé files.
const (
	KindOther       Kind = iota // not a table this package reads
	KindActivity                // person-activity: identifier, profession, commune of the site
	KindSavoirFaire             // savoir-faire companion: identifier and savoir-faire, no site
)

func (k Kind) String() string {
	switch k {
	case KindActivity:
		return "person-activity file"
	case KindSavoirFaire:
		return "savoir-faire file"
	}
	return "other file"
}

// HeaderKind recognises a file by its header line (without its line
// break), never by its name: the data.gouv file
// ps-libreacces-personne-activite.txt and the
// PS_LibreAcces_Personne_activite_<timestamp>.txt of the older archives
// hold the same table. A header NewReader accepts is an activity file,
// even when it also carries the savoir-faire columns (older extractions).
func HeaderKind(line []byte) Kind {
	if _, err := newTable(bytes.NewReader(line), "", fNationalID, fProfession, fCommune); err == nil {
		return KindActivity
	}
	if _, err := newTable(bytes.NewReader(line), "", fNationalID, fSF); err == nil {
		return KindSavoirFaire
	}
	return KindOther
}

// sniffLimit bounds the header line read to recognise a member: the
// 56-column header is about 1.5 kB.
const sniffLimit = 64 << 10

// memberKind reads the first line of a zip member and recognises it.
func memberKind(f *zip.File, name string) (Kind, error) {
	rc, err := f.Open()
	if err != nil {
		return KindOther, parseerr.New(name, 0, 0, "cannot read this member of the zip archive: %w (download the archive again?)", err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, sniffLimit)
	line, err := br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return KindOther, nil // no line break in the first 64 kB: not a text table
	case err != nil && err != io.EOF:
		return KindOther, parseerr.New(name, 1, 0, "reading: %w (download the archive again?)", err)
	}
	line = bytes.TrimRight(line, "\r\n")
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	return HeaderKind(line), nil
}

// ZipMembers finds, in a zip archive of the Annuaire Santé extraction
// (PS_LibreAcces_<timestamp>.zip), the member holding the table want
// (KindActivity or KindSavoirFaire) and, when want is KindActivity, the
// savoir-faire companion (nil when the archive has none). Members are
// recognised by their header line, not their name; other members (the
// diplomas and authorisations file…) are ignored. name is the archive's
// name in messages; members are named name!member.
//
// Errors are *parseerr.Error values: a damaged archive, an archive
// without the wanted table (the message lists what it holds), or one with
// two of them.
func ZipMembers(r io.ReaderAt, size int64, name string, want Kind) (member, companion *zip.File, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, parseerr.New(name, 0, 0, "not a readable zip archive: %w (download it again?)", err)
	}
	// Members are inflated by klauspost/compress, in about 70 % of the CPU
	// time of compress/flate for the same bytes: inflating is what bounds
	// the import of the zipped national extraction on two cores.
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	var found [3][]*zip.File
	var listing []string
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		k, err := memberKind(f, name+"!"+f.Name)
		if err != nil {
			return nil, nil, err
		}
		found[k] = append(found[k], f)
		listing = append(listing, fmt.Sprintf("%s (%s)", f.Name, k))
	}
	for _, k := range []Kind{want, KindSavoirFaire} {
		if fs := found[k]; len(fs) > 1 {
			return nil, nil, parseerr.New(name, 0, 0, "the zip archive holds two %ss, %s and %s: extract the one to import", k, fs[0].Name, fs[1].Name)
		}
	}
	if len(found[want]) == 0 {
		holds := "nothing"
		if len(listing) > 0 {
			const most = 20
			if len(listing) > most {
				listing = append(listing[:most], fmt.Sprintf("and %d more", len(listing)-most))
			}
			holds = strings.Join(listing, ", ")
		}
		return nil, nil, parseerr.New(name, 0, 0, "no %s in this zip archive (recognised by its header: %s); it holds: %s",
			want, wantHeader(want), holds)
	}
	member = found[want][0]
	if want == KindActivity && len(found[KindSavoirFaire]) == 1 {
		companion = found[KindSavoirFaire][0]
	}
	return member, companion, nil
}

func wantHeader(k Kind) string {
	if k == KindSavoirFaire {
		return fmt.Sprintf("columns %q and %q", titles[fNationalID], titles[fSF])
	}
	return fmt.Sprintf("columns %q, %q and %q", titles[fNationalID], titles[fProfession], titles[fCommune])
}

// IsZip reports whether head, the first bytes of a file, starts a zip
// archive (or an empty one): the content tells, not the name.
func IsZip(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
}

// IsGzip reports whether head starts with the gzip magic number.
func IsGzip(head []byte) bool { return bytes.HasPrefix(head, []byte{0x1f, 0x8b}) }
