// Package diagnostic is the domain of diagsante: it turns a territory named
// by a user into a set of current communes, computes the access-to-care
// indicators of that territory from the reference snapshot (densities,
// official APL, accessibility to facilities, travel times, what-if
// scenarios) and assembles them into a report model, a plain tree of
// structs that the renderers read.
//
// Territory resolution comes first: a user names a territory the way a
// health planner would (an INSEE code, a commune name, an EPCI, a
// département, a région or a CPTS) and [Resolver.Resolve] maps every item
// onto the communes of the Code officiel géographique in force, saying in
// warnings when it had to interpret (an old code of a merged commune, an
// arrondissement of Paris, Lyon or Marseille, a CPTS covering part of a
// commune) and failing with a [ResolveError] that lists candidates when it
// cannot decide.
//
// The package knows nothing of files, flags or output formats: the command
// line reads files and flags, and the templates render the report model.
// Keeping it so lets the same code serve the terminal, batch runs and tests.
package diagnostic
