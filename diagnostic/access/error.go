package access

// A ModelError says how far the travel-time model is from real road
// times, where they were measured.
type ModelError struct {
	// Trips is the number of commune pairs compared, of at most MaxMinutes
	// by road.
	Trips      int
	MaxMinutes float64
	// MAE is the mean absolute error in minutes; Bias the mean of model −
	// road (negative: the model is faster than the road).
	MAE, Bias float64
	// Where the road times come from.
	Where string
}

// MeasuredError is the error of DefaultParams, the parameters every report
// uses, against the only real road times held in open data: the commune
// pairs of the Alpes-Maritimes (testdata/calibration_06.csv, see
// datasets/internal/traveltime), trips of at most 25 minutes. Elsewhere the
// error is not measured. TestMeasuredError recomputes it from the file.
var MeasuredError = ModelError{Trips: 873, MaxMinutes: 25, MAE: 3.71, Bias: -1.84, Where: "Alpes-Maritimes"}
