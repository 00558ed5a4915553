package ports

import (
	"context"
	"fmt"
	"time"
)

// LimitRule is how often something may happen per subject: at most Limit
// times in each Window (fixed windows, aligned to the Unix epoch).
type LimitRule struct {
	Name   string // names the counter: "file", "verify.recipient", …
	Limit  int
	Window time.Duration
}

// Limiter counts against limit rules across every instance of every function
// (production: DynamoDB items that expire with TTL). Subjects are opaque keys
// the caller derived without personal data (hashes of addresses and numbers).
type Limiter interface {
	// Take counts one against the rule for the subject. When the window is
	// already full nothing is counted and the answer is false with the time
	// until the window ends.
	Take(ctx context.Context, rule LimitRule, subject string, now time.Time) (ok bool, retryAfter time.Duration, err error)
	// Full says whether the subject's window is full, counting nothing.
	Full(ctx context.Context, rule LimitRule, subject string, now time.Time) (full bool, retryAfter time.Duration, err error)
}

// RateLimitedError says a limit is reached: HTTP 429 with Retry-After.
type RateLimitedError struct {
	What       string // what was limited, for the client: "filing from this client"
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many requests: %s; retry after %s", e.What, e.RetryAfter.Round(time.Second))
}

// MessageCapError says a recipient had the day's messages: nothing was sent.
type MessageCapError struct{ Channel string }

func (e *MessageCapError) Error() string {
	return e.Channel + ": this recipient's messages for the day are used up"
}

// Verification is a code sent to a phone or e-mail address to prove the
// citizen can read it (验证码). Only hashes are kept: of the recipient (a
// blind index) and of the code.
type Verification struct {
	ID        string
	Channel   string // "sms" or "email"
	Recipient string // blind index of the phone number or address
	CodeHash  string
	ExpiresAt time.Time
	// Failures counts wrong codes; the verification is dead at the maximum.
	Failures int
}

// Verifications keeps verifications until they expire.
type Verifications interface {
	PutVerification(ctx context.Context, v Verification) error
	// GetVerification gives *NotFoundError for an unknown or expired one.
	GetVerification(ctx context.Context, id string, now time.Time) (Verification, error)
	// FailVerification counts a wrong code; false when the maximum was
	// already reached (a racing guess lost).
	FailVerification(ctx context.Context, id string, maxFailures int) (bool, error)
}
