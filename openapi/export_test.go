package openapi

// ToJSON is toJSON for the tests of package openapi_test, which cannot be
// package openapi: they use the contract checker, which imports it.
var ToJSON = toJSON
