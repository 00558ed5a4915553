package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Co-handler assignments (协办). The ticket item can carry only one set of
// GSI1 keys, the lead department's, so each co-handler gets a small item of
// its own in the ticket's partition that carries the co-handler's inbox keys.
// Assignment items are written, rewritten and deleted in the same transaction
// as the ticket save that changes them, conditional on the ticket's version,
// so they can never disagree with the ticket or be left behind by a lost race.
//
//	co-handler   PK=TICKET#<id>  SK=CO#<dept>  GSI1PK=DEPT#<dept>#co  GSI1SK=<reply deadline>#<id>
//
// They hold only what the inbox list shows: ids, type, category, status,
// times and the overdue flag — never the content or the contact.

const (
	skCoPrefix = "CO#"
	// attrCoDepts lists, on the ticket item, the co-handlers that have an
	// assignment item. Reading it with the ticket (under the same version
	// condition) tells a save which items to delete without a query.
	attrCoDepts = "coDepts"

	attrCoHandler = "coHandler"
	attrLead      = "leadDepartmentId"
	attrType      = "type"
	attrCategory  = "category"
	attrOverdue   = "overdue"
	attrReplyBy   = "replyDeadline"
	attrCreatedAt = "createdAt"
)

func coSK(dept string) string { return skCoPrefix + dept }

// coDepartments is the set of departments that should have an assignment
// item: the co-handlers, once each, without the lead (it has the ticket's own
// inbox entry), and none once the ticket is final (the co tab lists open
// tickets only).
func coDepartments(t *ticket.Ticket) ([]string, error) {
	if t.DepartmentID == "" || t.Status.Final() {
		return nil, nil
	}
	var out []string
	for _, d := range t.CoHandlers {
		if err := checkKeyPart("co-handler department id", d); err != nil {
			return nil, err
		}
		if d != t.DepartmentID && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// coSummary is the content of an assignment item besides its keys. It is a
// comparable value so a save can tell whether an item needs rewriting.
// The times keep the ticket's own zone (RFC 3339) so a co tab shows them as
// the lead's tabs do; replyKey is the UTC sort key.
type coSummary struct {
	id, lead, typ, category, status string
	created, replyBy, replyKey      string
	overdue                         bool
}

func summaryOf(t *ticket.Ticket) coSummary {
	s := coSummary{
		id: t.ID, lead: t.DepartmentID, typ: string(t.Type), category: t.Category,
		status: string(t.Status), created: t.CreatedAt.Format(time.RFC3339Nano), overdue: t.Overdue,
		replyKey: noDeadline,
	}
	if !t.Deadlines.Reply.IsZero() {
		s.replyBy = t.Deadlines.Reply.Format(time.RFC3339Nano)
		s.replyKey = t.Deadlines.Reply.UTC().Format(timeKey)
	}
	return s
}

func (s *Store) coItem(sum coSummary, dept string) map[string]types.AttributeValue {
	item := key(ticketPK(sum.id), coSK(dept))
	item[attrEntity] = str("coAssignment")
	item[attrGSI1PK] = str(inboxPK(dept, ticket.InboxCo))
	item[attrGSI1SK] = str(sum.replyKey + "#" + sum.id)
	item[attrTicketID] = str(sum.id)
	item[attrCoHandler] = str(dept)
	item[attrLead] = str(sum.lead)
	item[attrType] = str(sum.typ)
	item[attrStatus] = str(sum.status)
	item[attrCreatedAt] = str(sum.created)
	item[attrOverdue] = &types.AttributeValueMemberBOOL{Value: sum.overdue}
	if sum.category != "" {
		item[attrCategory] = str(sum.category)
	}
	if sum.replyBy != "" {
		item[attrReplyBy] = str(sum.replyBy)
	}
	return item
}

// coWrites returns the transaction items that bring the assignment items from
// what prev (nil for a new ticket) had — the departments in prevDepts — to
// what next needs. Items whose content would not change are left alone, so
// a save that only parks a task token writes no more than before.
func (s *Store) coWrites(prev *ticket.Ticket, prevDepts []string, next *ticket.Ticket) ([]types.TransactWriteItem, error) {
	want, err := coDepartments(next)
	if err != nil {
		return nil, err
	}
	sum := summaryOf(next)
	same := prev != nil && summaryOf(prev) == sum
	var out []types.TransactWriteItem
	for _, d := range want {
		if same && slices.Contains(prevDepts, d) {
			continue
		}
		// Unconditional: the ticket item's version condition in the same
		// transaction is what orders racing saves.
		out = append(out, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: s.coItem(sum, d),
		}})
	}
	for _, d := range prevDepts {
		if slices.Contains(want, d) || checkKeyPart("co-handler department id", d) != nil {
			continue
		}
		out = append(out, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: key(ticketPK(next.ID), coSK(d)),
		}})
	}
	return out, nil
}

// coDeptsAttr is the value of attrCoDepts for the departments (nil: none,
// so the attribute is removed).
func coDeptsAttr(depts []string) types.AttributeValue {
	if len(depts) == 0 {
		return nil
	}
	l := make([]types.AttributeValue, len(depts))
	for i, d := range depts {
		l[i] = str(d)
	}
	return &types.AttributeValueMemberL{Value: l}
}

// storedCoDepts reads attrCoDepts from a ticket item. Items written before
// assignment items existed lack it and have no assignment items either.
func storedCoDepts(item map[string]types.AttributeValue) []string {
	l, ok := item[attrCoDepts].(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(l.Value))
	for _, v := range l.Value {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

// isCoItem reports whether an index item is an assignment item.
func isCoItem(item map[string]types.AttributeValue) bool {
	return strings.HasPrefix(strAttr(item, attrSK), skCoPrefix)
}

// decodeCoItem builds the listing's ticket summary from an assignment item:
// only the fields the item holds are set.
func decodeCoItem(item map[string]types.AttributeValue) (*ticket.Ticket, error) {
	t := &ticket.Ticket{
		ID: strAttr(item, attrTicketID), DepartmentID: strAttr(item, attrLead),
		Type: ticket.Type(strAttr(item, attrType)), Category: strAttr(item, attrCategory),
		Status: ticket.Status(strAttr(item, attrStatus)),
	}
	if t.ID == "" {
		return nil, fmt.Errorf("store: co-handler item %s has no ticket id", strAttr(item, attrPK))
	}
	if b, ok := item[attrOverdue].(*types.AttributeValueMemberBOOL); ok {
		t.Overdue = b.Value
	}
	var err error
	if t.CreatedAt, err = time.Parse(time.RFC3339Nano, strAttr(item, attrCreatedAt)); err != nil {
		return nil, fmt.Errorf("store: co-handler item of ticket %s: creation time: %w", t.ID, err)
	}
	if v := strAttr(item, attrReplyBy); v != "" {
		if t.Deadlines.Reply, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return nil, fmt.Errorf("store: co-handler item of ticket %s: reply deadline: %w", t.ID, err)
		}
	}
	return t, nil
}

// coPartitionSK is the sort key an inbox cursor must point at: the
// co-handler's assignment item on a co tab, the ticket item elsewhere.
func coPartitionSK(pkValue string) string {
	if rest, ok := strings.CutPrefix(pkValue, "DEPT#"); ok {
		if dept, ok := strings.CutSuffix(rest, "#"+string(ticket.InboxCo)); ok {
			return coSK(dept)
		}
	}
	return skMeta
}
