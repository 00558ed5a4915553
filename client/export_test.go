package client

import (
	"reflect"
	"time"
)

// WithAfter replaces the timer the client waits with before a retry, so that
// no test sleeps.
func WithAfter(after func(time.Duration) <-chan time.Time) Option {
	return func(c *Client) { c.after = after }
}

// RetryAfter is retryAfter.
var RetryAfter = retryAfter

// Bodies are the request bodies the methods build from their arguments, by
// the name of their OpenAPI schema.
var Bodies = map[string]reflect.Type{
	"SupplementRequest":        reflect.TypeFor[supplementRequest](),
	"WithdrawalRequest":        reflect.TypeFor[withdrawalRequest](),
	"PhoneCallRequest":         reflect.TypeFor[phoneCallRequest](),
	"NoteRequest":              reflect.TypeFor[noteRequest](),
	"CoOpinionRequest":         reflect.TypeFor[coOpinionRequest](),
	"ReturnRequest":            reflect.TypeFor[returnRequest](),
	"ExtensionRequest":         reflect.TypeFor[extensionRequest](),
	"ExtensionDecisionRequest": reflect.TypeFor[extensionDecisionRequest](),
	"RepairRequest":            reflect.TypeFor[repairRequest](),
	"RoutingRules":             reflect.TypeFor[routingRules](),
	"CategoryTree":             reflect.TypeFor[categoryTree](),
	"KnowledgeBase":            reflect.TypeFor[knowledgeBase](),
}
