package snapshot

import (
	_ "embed"
	"encoding/binary"
	"io"
	"io/fs"
	"strings"
)

// The tables of the embedded snapshot are also embedded as strings: the
// linker stores a file's content once, so these are the bytes of the
// embedded folder, not a copy (the binary is the same size). Their gzip
// members hold stored (uncompressed) deflate blocks, so a table is read in
// place: its rows are substrings of the program's read-only data, and
// loading neither copies 15 MB of tables nor allocates them (see
// storedSegments). TestEmbeddedTablesAreTheFolder checks that every table
// of the folder is listed here with the same bytes.
var (
	//go:embed data/apl.tsv.gz
	embeddedAPL string
	//go:embed data/arrondissements.tsv.gz
	embeddedArrondissements string
	//go:embed data/communes.tsv.gz
	embeddedCommunes string
	//go:embed data/cpts.tsv.gz
	embeddedCPTS string
	//go:embed data/departements.tsv.gz
	embeddedDepartements string
	//go:embed data/epci.tsv.gz
	embeddedEPCI string
	//go:embed data/establishments.tsv.gz
	embeddedEstablishments string
	//go:embed data/gp_bpe.tsv.gz
	embeddedGP string
	//go:embed data/liberaux.tsv.gz
	embeddedLiberal string
	//go:embed data/maternites.tsv.gz
	embeddedMaternity string
	//go:embed data/oldcodes.tsv.gz
	embeddedOldCodes string
	//go:embed data/popage.tsv.gz
	embeddedPopAge string
	//go:embed data/postcodes.tsv.gz
	embeddedPostcodes string
	//go:embed data/regions.tsv.gz
	embeddedRegions string
	//go:embed data/sas.tsv.gz
	embeddedSAS string
	//go:embed data/urgences.tsv.gz
	embeddedEmergency string
)

var embeddedTables = map[string]string{
	APLFile:             embeddedAPL,
	ArrondissementsFile: embeddedArrondissements,
	CommunesFile:        embeddedCommunes,
	CPTSFile:            embeddedCPTS,
	DepartementsFile:    embeddedDepartements,
	EPCIFile:            embeddedEPCI,
	EstablishmentsFile:  embeddedEstablishments,
	GPFile:              embeddedGP,
	LiberalFile:         embeddedLiberal,
	MaternityFile:       embeddedMaternity,
	OldCodesFile:        embeddedOldCodes,
	PopAgeFile:          embeddedPopAge,
	PostcodesFile:       embeddedPostcodes,
	RegionsFile:         embeddedRegions,
	SASFile:             embeddedSAS,
	EmergencyFile:       embeddedEmergency,
}

// embeddedFS is the embedded snapshot's folder: its table files open as
// tableFiles, which hand their bytes over in place.
type embeddedFS struct{ fs.FS }

func (e embeddedFS) Open(name string) (fs.File, error) {
	data, ok := embeddedTables[name]
	if !ok {
		return e.FS.Open(name)
	}
	info, err := fs.Stat(e.FS, name)
	if err != nil {
		return nil, err
	}
	return &tableFile{Reader: strings.NewReader(data), data: data, info: info}, nil
}

// A tableFile is an embedded table file.
type tableFile struct {
	*strings.Reader
	data string
	info fs.FileInfo
}

func (f *tableFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *tableFile) Close() error               { return nil }

// Contents returns the file's bytes, not copied.
func (f *tableFile) Contents() string { return f.data }

// storedSegments returns the contents of a gzip file whose one member is
// made of stored deflate blocks (what TableWriter writes) as substrings of
// gz, with their total size, or ok false for any other file (compressed
// blocks, several members, header fields other than a name, sizes that do
// not add up): the caller then inflates it. It does not check the CRC-32: it is used on the
// program's own data only.
func storedSegments(gz string) (segs []string, size int, ok bool) {
	const fname = 1 << 3 // the one header flag TableWriter's gzip.Writer may set
	if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 || gz[3]&^fname != 0 {
		return nil, 0, false
	}
	end := len(gz) - 8 // the trailer: CRC-32 and size
	p := 10
	if gz[3]&fname != 0 {
		zero := strings.IndexByte(gz[p:end], 0)
		if zero < 0 {
			return nil, 0, false
		}
		p += zero + 1
	}
	for {
		// A stored block: 3 header bits (final, type 00) padded to the
		// byte, its length and the length's complement, then the bytes.
		if p+5 > end {
			return nil, 0, false
		}
		head := gz[p]
		if head&0b110 != 0 {
			return nil, 0, false
		}
		n := int(gz[p+1]) | int(gz[p+2])<<8
		if n != int(^(uint16(gz[p+3]) | uint16(gz[p+4])<<8)) {
			return nil, 0, false
		}
		p += 5
		if n > end-p {
			return nil, 0, false
		}
		if n > 0 {
			segs = append(segs, gz[p:p+n])
		}
		size += n
		p += n
		if head&1 != 0 {
			break
		}
	}
	if p != end || uint32(size) != binary.LittleEndian.Uint32([]byte(gz[end+4:])) {
		return nil, 0, false
	}
	return segs, size, true
}

var _ io.ReadSeeker = (*tableFile)(nil)
