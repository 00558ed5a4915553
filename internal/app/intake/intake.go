// Package intake registers tickets (受理): POST /v1/tickets. One DynamoDB
// transaction writes the ticket, its idempotency record and its first event;
// then the ticket's workflow execution starts, named by the ticket id.
package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/lifecycle"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/notice"
	"github.com/hotline12345/hotline/internal/app/open311"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/app/verify"
	"github.com/hotline12345/hotline/internal/domain/catalog"
	"github.com/hotline12345/hotline/internal/domain/contact"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Store registers tickets and notes on their timeline whether the receipt
// went out.
type Store interface {
	CreateTicket(ctx context.Context, t *ticket.Ticket, first ticket.Event, idem *ports.Idempotency) (ports.Created, error)
	// Replayed reads what an Idempotency-Key created, if it did.
	Replayed(ctx context.Context, idem *ports.Idempotency) (ports.Created, bool, error)
	lifecycle.Store
}

// Workflow starts a ticket's execution; starting twice is harmless.
type Workflow interface {
	Start(ctx context.Context, ticketID string) error
}

// Catalog gives the current categories.
type Catalog interface {
	Current(ctx context.Context) (*catalog.Catalog, error)
}

// IdempotencyWindow is how long a replayed Idempotency-Key gives the same answer.
const IdempotencyWindow = 24 * time.Hour

// maxIDAttempts bounds retries when a random ticket id collides.
const maxIDAttempts = 3

// Handler is the intake function.
type Handler struct {
	Store    Store
	Workflow Workflow
	Catalog  Catalog
	// Mailer and Texter send the citizen's receipt (ticket id and access
	// code); Texter is nil when SMS is switched off.
	Mailer ports.Mailer
	Texter ports.Texter
	// Notes records on the timeline whether the receipt went out.
	Notes  lifecycle.Store
	Now    func() time.Time
	Random io.Reader
	Log    *slog.Logger
	// CodeKey keys the access-code hash (a server secret; see ticket.HashAccessCode).
	CodeKey []byte
	// Guard limits filing per client; Verify checks citizens' contacts and
	// serves POST /v1/verifications.
	Guard  *limits.Guard
	Verify *verify.Service
	// Keys checks the API keys of Open311 apps.
	Keys *open311.Keys
	// Attach takes the photos and documents a ticket attaches; nil takes
	// none.
	Attach *attach.Service
}

// Receipt is the answer to a filed ticket.
type Receipt struct {
	ID         string        `json:"id"`
	AccessCode string        `json:"accessCode"`
	Status     ticket.Status `json:"status"`
	CreatedAt  time.Time     `json:"createdAt"`
}

// RouteVerifications is the route of verification codes, served here: it
// sends messages as intake does.
const RouteVerifications = "POST /v1/verifications"

// Handle serves POST /v1/tickets, POST /v1/verifications and Open311's
// POST requests.json|xml.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	log := httpapi.Logger(h.Log, req)
	if slices.Contains(open311.PostRoutes, req.RouteKey) {
		return h.fileOpen311(ctx, req, log), nil
	}
	if req.RouteKey == RouteVerifications {
		sent, err := h.verification(ctx, req, log)
		if err != nil {
			return httpapi.Fail(ctx, log, req, err), nil
		}
		return httpapi.JSON(http.StatusAccepted, sent), nil
	}
	receipt, replayed, started, err := h.file(ctx, req, log)
	if err != nil {
		return httpapi.Fail(ctx, log, req, err), nil
	}
	status := http.StatusCreated
	switch {
	case !started:
		// Saved, but its workflow did not start: the citizen keeps the
		// receipt, and the sweep starts the workflow (or a replay does).
		status = http.StatusAccepted
	case replayed:
		status = http.StatusOK
	}
	return httpapi.JSON(status, receipt), nil
}

// file registers the ticket of a JSON body and starts its workflow;
// started is false when the ticket is saved but the start failed.
func (h *Handler) file(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger) (receipt Receipt, replayed, started bool, err error) {
	claims, isStaff, err := httpapi.Staff(req)
	if err != nil {
		return Receipt{}, false, false, err
	}
	body, err := httpapi.Body(req)
	if err != nil {
		return Receipt{}, false, false, err
	}
	sub, err := ticket.ParseSubmission(body)
	if err != nil {
		return Receipt{}, false, false, err
	}
	return h.register(ctx, req, log, sub, body, claims, isStaff)
}

// register is intake proper, whatever the request's form (a JSON body, an
// Open311 form): the caller's rights, validation, the category, the
// client's limit and the contact's proof, the Idempotency-Key over the
// body as sent, the ticket, the receipt and the workflow.
func (h *Handler) register(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger, sub ticket.Submission, body []byte, claims auth.Claims, isStaff bool) (receipt Receipt, replayed, started bool, err error) {
	key, err := idempotencyKey(req)
	if err != nil {
		return Receipt{}, false, false, err
	}
	operator := isStaff && (claims.Role == auth.RoleOperator || claims.Role == auth.RoleAdmin)
	if sub.Channel == ticket.ChannelPhone && !operator {
		return Receipt{}, false, false, httpapi.Forbidden("phone tickets are entered by operators; send an operator token")
	}
	if err := sub.Validate(operator); err != nil {
		return Receipt{}, false, false, err
	}
	cat, err := h.Catalog.Current(ctx)
	if err != nil {
		return Receipt{}, false, false, fmt.Errorf("load catalog: %w", err)
	}
	if err := cat.CheckCategory(sub.Category, sub.Type); err != nil {
		return Receipt{}, false, false, err
	}
	reachable, err := h.reachable(ctx, req, sub, isStaff, operator)
	if err != nil {
		return Receipt{}, false, false, err
	}

	var idem *ports.Idempotency
	if key != "" {
		sum := sha256.Sum256(body)
		idem = &ports.Idempotency{Key: key, BodyHash: hex.EncodeToString(sum[:])}
	}
	files, replay, err := h.takeFiles(ctx, sub, idem, claims, isStaff)
	if err != nil {
		return Receipt{}, false, false, err
	}
	if replay {
		files = nil // the first request attached them; CreateTicket replays it
	}
	for range maxIDAttempts {
		t, receipt, err := h.newTicket(sub)
		if err != nil {
			return Receipt{}, false, false, err
		}
		if t.Contact != nil {
			t.Reachable = reachable
		}
		if err := t.Attach(files); err != nil {
			return Receipt{}, false, false, err
		}
		if idem != nil {
			idem.ExpiresAt = t.CreatedAt.Add(IdempotencyWindow)
			if idem.Response, err = json.Marshal(receipt); err != nil {
				return Receipt{}, false, false, fmt.Errorf("encode receipt: %w", err)
			}
		}
		actor := ticket.Actor{Role: ticket.ActorCitizen}
		if isStaff {
			actor = ticket.Actor{Role: string(claims.Role), ID: claims.Subject}
		}
		first := t.Note("received", actor, t.CreatedAt, ticket.Say("工单已受理", "ticket received"), true)
		first.Attachments = ticket.AttachmentIDs(files)
		created, err := h.Store.CreateTicket(ctx, t, first, idem)
		var collision *ports.IDCollisionError
		if errors.As(err, &collision) {
			continue
		}
		if err != nil {
			return Receipt{}, false, false, fmt.Errorf("register ticket: %w", err)
		}
		if !created.Replayed {
			h.Attach.Forget(ctx, files)
		}
		if created.Replayed {
			if err := json.Unmarshal(created.Response, &receipt); err != nil {
				return Receipt{}, false, false, fmt.Errorf("decode replayed receipt: %w", err)
			}
		} else {
			// Before the workflow starts, so the receipt is the citizen's first message.
			h.sendReceipt(ctx, t, receipt.AccessCode, log)
		}
		// Started on replays too: a client retrying after a failed start is how
		// a registered ticket whose workflow did not start gets it.
		var ended *ports.WorkflowEndedError
		started := true
		if err := h.Workflow.Start(ctx, receipt.ID); errors.As(err, &ended) {
			// A replay long after the first request: the workflow has run.
			log.InfoContext(ctx, "workflow already ran", "ticket_id", receipt.ID)
		} else if err != nil {
			// The ticket is saved: the sweep starts a received ticket's
			// workflow after StartGrace, so nothing is lost.
			started = false
			log.WarnContext(ctx, "workflow not started; the sweep will start it", "ticket_id", receipt.ID, "error", err.Error())
		}
		log.InfoContext(ctx, "ticket filed", "ticket_id", receipt.ID, "replayed", created.Replayed, "started", started, "type", sub.Type, "channel", sub.Channel)
		return receipt, created.Replayed, started, nil
	}
	return Receipt{}, false, false, errors.New("could not find a free ticket id")
}

// takeFiles checks and cleans the files a ticket attaches: a citizen's
// uploads made anonymously or with the verification the ticket carries, an
// operator's own. replay says an earlier request with this Idempotency-Key
// filed the ticket already (and took the files).
func (h *Handler) takeFiles(ctx context.Context, sub ticket.Submission, idem *ports.Idempotency, claims auth.Claims, isStaff bool) (files []ticket.Attachment, replay bool, err error) {
	if len(sub.Attachments) == 0 {
		return nil, false, nil
	}
	if idem != nil {
		if _, found, err := h.Store.Replayed(ctx, idem); err != nil || found {
			return nil, found, err
		}
	}
	owners := []string{attach.OwnerAnonymous}
	by := ticket.Actor{Role: ticket.ActorCitizen}
	switch {
	case isStaff:
		owners = []string{attach.OwnerStaff(claims.Subject)}
		by = ticket.Actor{Role: string(claims.Role), ID: claims.Subject}
	case sub.Verification != nil && !sub.Anonymous && sub.Contact != nil:
		// reachable checked the verification against the contact.
		owners = append(owners, attach.OwnerVerification(sub.Verification.ID))
	}
	files, err = h.Attach.Take(ctx, sub.Attachments, ticket.PurposeTicket, owners, by)
	return files, false, err
}

// reachable applies the client's filing limit and proves the contact: a
// citizen's by the verification the ticket carries, an operator's by the
// call. It answers the channels messages about the ticket may use. An
// Open311 app files for many citizens from one server: its api_key's own
// limit (open311.key) stands in for the per-address one.
func (h *Handler) reachable(ctx context.Context, req events.APIGatewayV2HTTPRequest, sub ticket.Submission, isStaff, operator bool) ([]string, error) {
	if !isStaff && sub.App == "" {
		if err := h.Guard.Take(ctx, limits.RuleFile, h.Guard.Client(req), "tickets filed from this client"); err != nil {
			return nil, err
		}
	}
	if sub.Anonymous || sub.Contact == nil {
		return nil, nil
	}
	if operator {
		return sub.Contact.Channels(), nil
	}
	channel, err := h.Verify.Check(ctx, sub.Verification, *sub.Contact)
	if err != nil {
		return nil, err
	}
	return []string{channel}, nil
}

// verification serves POST /v1/verifications.
func (h *Handler) verification(ctx context.Context, req events.APIGatewayV2HTTPRequest, log *slog.Logger) (verify.Sent, error) {
	body, err := httpapi.Body(req)
	if err != nil {
		return verify.Sent{}, err
	}
	r, err := verify.ParseRequest(body)
	if err != nil {
		return verify.Sent{}, err
	}
	return h.Verify.Send(ctx, r, h.Guard.Client(req), log)
}

func (h *Handler) newTicket(sub ticket.Submission) (*ticket.Ticket, Receipt, error) {
	now := ticket.Stamp(h.Now())
	id, err := ticket.NewID(now, h.Random)
	if err != nil {
		return nil, Receipt{}, fmt.Errorf("new ticket id: %w", err)
	}
	code, err := ticket.NewAccessCode(h.Random)
	if err != nil {
		return nil, Receipt{}, fmt.Errorf("new access code: %w", err)
	}
	// The domain builds the ticket, so its contact is stored in the one
	// canonical form the blind index hashes.
	t := sub.NewTicket(id, now)
	t.AccessCodeHash = ticket.HashAccessCode(h.CodeKey, id, code)
	return t, Receipt{ID: id, AccessCode: code, Status: t.Status, CreatedAt: now}, nil
}

func idempotencyKey(req events.APIGatewayV2HTTPRequest) (string, error) {
	key := strings.TrimSpace(httpapi.Header(req, "Idempotency-Key"))
	if len(key) > 255 {
		return "", httpapi.BadRequest("Idempotency-Key is longer than 255 characters", map[string]string{"Idempotency-Key": "too long"})
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return "", httpapi.BadRequest("Idempotency-Key must be printable ASCII without spaces", map[string]string{"Idempotency-Key": "invalid"})
		}
	}
	return key, nil
}

// sendReceipt tells the citizen the ticket id and access code: by SMS to a
// mobile number, else by e-mail. A phone caller needs it to follow the ticket
// and rate the answer. A receipt that cannot go out does not undo the ticket
// (the caller has the code in the answer; an operator reads it to a phone
// caller): it is logged and noted on the staff timeline.
func (h *Handler) sendReceipt(ctx context.Context, t *ticket.Ticket, code string, log *slog.Logger) {
	if t.Contact == nil {
		return
	}
	msg := notice.Receipt(t, code)
	channel := ""
	var err error
	switch phone := contact.MobileE164(t.Contact.Phone); {
	case t.Reaches(ticket.NoticeSMS) && phone != "" && h.Texter != nil:
		channel = "sms"
		_, err = h.Texter.Send(ctx, phone, msg.SMS)
	case t.Reaches(ticket.NoticeEmail) && h.Mailer != nil:
		channel = "email"
		_, err = h.Mailer.Send(ctx, ports.Email{To: t.Contact.Email, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
	default:
		return
	}
	if err == nil {
		return // sent: nothing more to write on the intake path
	}
	// Only the exception costs a write: staff must tell the code by phone.
	log.WarnContext(ctx, "receipt not sent", "ticket_id", t.ID, "channel", channel, "error", err.Error())
	now := ticket.Stamp(h.Now())
	_, uerr := lifecycle.UpdateAttempts(ctx, h.Store, t.ID, lifecycle.NoteAttempts, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return []ticket.Event{t.Note("receipt.failed", ticket.Actor{Role: ticket.ActorSystem}, now,
			ticket.Say("受理回执未能发出，请电话告知查询码", "the receipt could not be sent: tell the citizen the access code by phone"), false)}, nil
	})
	if uerr != nil {
		log.WarnContext(ctx, "receipt note not saved", "ticket_id", t.ID, "error", uerr.Error())
	}
}
