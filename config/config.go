// Package configfiles embeds the default configuration shipped with the
// platform: the seed catalog (departments, categories, routing rules,
// calendars) and the automated review rules.
package configfiles

import _ "embed"

// Seed is config/seed.json, loaded into the table on first start.
//
//go:embed seed.json
var Seed []byte

// Screening is config/screening.json, the automated review rules.
//
//go:embed screening.json
var Screening []byte
