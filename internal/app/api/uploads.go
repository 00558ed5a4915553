package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// upload serves POST /v1/uploads: a presigned form to send one file to the
// object store, for the body that will attach it. Who may ask decides who
// may attach it: a citizen filing (with the verification of the contact,
// or none for an anonymous ticket), a citizen with the access code of the
// ticket a supplement goes to, an operator filing a phone call, the lead
// department replying.
func (h *Handler) upload(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if h.Attach == nil {
		return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
	}
	body, err := httpapi.Body(r.APIGatewayV2HTTPRequest)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req, err := attach.ParseRequest(body, h.Attach.Limits)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	owner, err := h.uploadOwner(ctx, r, req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	issued, err := h.Attach.Issue(ctx, req, owner)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "upload issued", "upload_id", issued.UploadID, "purpose", string(req.Purpose), "content_type", req.ContentType, "size", req.Size)
	return httpapi.JSON(http.StatusCreated, issued), nil
}

// uploadOwner checks the caller's right to send a file for req's body and
// names who may attach it.
func (h *Handler) uploadOwner(ctx context.Context, r *request, req attach.Request) (string, error) {
	if r.isStaff {
		switch req.Purpose {
		case ticket.PurposeTicket:
			if err := requireRole(r, auth.RoleOperator, auth.RoleAdmin); err != nil {
				return "", err
			}
			return attach.OwnerStaff(r.staff.Subject), nil
		case ticket.PurposeReply:
			if err := requireRole(r, auth.RoleDepartment); err != nil {
				return "", err
			}
			t, err := h.Store.GetTicketMeta(ctx, req.TicketID)
			if err != nil {
				return "", err
			}
			if t.DepartmentID != r.staff.Dept {
				// As for any action on another department's ticket: it learns nothing.
				return "", httpapi.NotFound()
			}
			return attach.OwnerDepartment(r.staff.Dept), nil
		default:
			return "", httpapi.Forbidden("a supplement is the citizen's; staff add notes")
		}
	}
	if err := h.Guard.Take(ctx, limits.RuleUpload, h.Guard.Client(r.APIGatewayV2HTTPRequest), "uploads from this client"); err != nil {
		return "", err
	}
	switch req.Purpose {
	case ticket.PurposeTicket:
		if req.Verification == nil {
			return attach.OwnerAnonymous, nil
		}
		id, err := h.Verify.CheckCode(ctx, req.Verification)
		if err != nil {
			return "", err
		}
		return attach.OwnerVerification(id), nil
	case ticket.PurposeSupplement:
		t, err := h.accessTicket(ctx, r, req.TicketID)
		if err != nil {
			return "", err
		}
		if !t.Status.Open() {
			return "", httpapi.Conflict("the ticket is " + string(t.Status) + "; supplements are closed")
		}
		return attach.OwnerTicket(t.ID), nil
	default:
		return "", httpapi.Unauthorized("a reply's files are the department's: send a staff token")
	}
}

// checkUpload serves POST /v1/uploads/{id}/check: the sent file checked by
// its content and cleaned, answered as a preview of the clean copy (or 400
// attachment_rejected), before a body attaches it.
func (h *Handler) checkUpload(ctx context.Context, r *request) (events.APIGatewayV2HTTPResponse, error) {
	if h.Attach == nil {
		return events.APIGatewayV2HTTPResponse{}, httpapi.NotFound()
	}
	link, err := h.Attach.Check(ctx, r.PathParameters["id"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r.log.InfoContext(ctx, "upload checked", "upload_id", link.ID, "content_type", link.ContentType, "size", link.Size)
	return httpapi.JSON(http.StatusOK, link), nil
}
