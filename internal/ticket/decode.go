package ticket

// DecodeJSON decodes an outside JSON object strictly (UTF-8, no unknown fields,
// no trailing data, size-limited) with errors that never quote input values.
func DecodeJSON(data []byte, limit int, v any) error { return decodeStrict(data, limit, v) }
