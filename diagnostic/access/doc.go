// Package access computes geographic access to care for diagsante: road
// travel times between places, the enhanced two-step floating catchment
// area (E2SFCA) index behind the DREES APL, a recomputed APL for scenarios,
// and the travel time to the nearest facility of each kind.
//
// Travel times come from a [Times]. The default, [DefaultModel], turns the
// crow-fly distance between two points into road minutes (detour factor,
// speed rising with distance, see [Params]); it is calibrated on real road
// times of the Alpes-Maritimes by datasets/internal/traveltime and its
// error is measured by TestModelError. A user's own matrix of minutes
// (read by datasets/traveltimes, built by [NewMatrix]), from OSRM, Metric
// or any router, replaces it pair by pair through an [Override].
//
// The official DREES APL stays the reference value of a report. The
// recomputed index ([RecomputeAPL]) exists for what the official one cannot
// do: scenarios (GPs settling or leaving) and newer supply data. Report the
// difference between a scenario and the baseline, applied to the official
// value, rather than recomputed levels: [Validate] measures how far those
// levels are from the official ones.
package access

//go:generate go run ../../datasets/internal/traveltime -out .
