package snapshot

import "fmt"

// DecodeTable reads one table file (gzipped, as the Write functions write
// it) into an otherwise empty Snapshot, without indexes: `datasets import`
// uses it to merge a converted table with the table in use when a converter
// gave only the written form. file is the table's file name (EstablishmentsFile…).
func DecodeTable(file string, gz []byte) (*Snapshot, error) {
	s := &Snapshot{}
	load := map[string]func(*tableReader){
		CommunesFile: s.loadCommunes, ArrondissementsFile: s.loadArrondissements, OldCodesFile: s.loadOldCodes,
		EPCIFile: s.loadEPCI, DepartementsFile: s.loadDepartements, RegionsFile: s.loadRegions, APLFile: s.loadAPL,
		GPFile: s.loadGPs, LiberalFile: s.loadLiberal, EstablishmentsFile: s.loadEstablishments, EmergencyFile: s.loadEmergency,
		MaternityFile: s.loadMaternities, CPTSFile: s.loadCPTS, PopAgeFile: s.loadPopAge, ProfessionalsFile: s.loadProfessionals,
		GPSitesFile: s.loadGPSites,
	}[file]
	if load == nil {
		return nil, fmt.Errorf("snapshot: no table file %q", file)
	}
	r, err := newTableReader(file, gz)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	load(r)
	if r.err != nil {
		return nil, fmt.Errorf("snapshot: %w", r.err)
	}
	return s, nil
}
