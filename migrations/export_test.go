package migrations

// UpTo applies the steps up to a version, for tests of a step on data
// written by the schema before it.
var UpTo = upTo
