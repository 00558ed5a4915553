package edge

// FailStoreWrites makes every write and sync of e's store fail with err
// (nil: succeed again), for tests of what a failing disk answers.
func FailStoreWrites(e *Edge, err error) {
	e.keep.mu.Lock()
	defer e.keep.mu.Unlock()
	e.keep.fault = err
}

// ParseMail is the SMTP capture server's message reader, for its fuzz test.
func ParseMail(raw []byte) (SentEmail, error) { return parseMail(raw) }
