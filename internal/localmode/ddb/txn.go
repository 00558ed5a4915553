package ddb

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
	"github.com/hotline12345/hotline/internal/localmode/ddb/expr"
)

// TransactWriteItemsInput is TransactWriteItems' request.
type TransactWriteItemsInput struct {
	TransactItems               []TransactWriteItem
	ClientRequestToken          string
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// TransactWriteItem is one action: exactly one of its members is set.
type TransactWriteItem struct {
	Put            *PutItemInput
	Update         *UpdateItemInput
	Delete         *DeleteItemInput
	ConditionCheck *ConditionCheck
}

// ConditionCheck checks an item without writing it.
type ConditionCheck struct {
	TableName                           string
	Key                                 av.Item
	ConditionExpression                 string
	ReturnValuesOnConditionCheckFailure string
	Exprs
}

// TransactWriteItemsOutput is TransactWriteItems' answer.
type TransactWriteItemsOutput struct {
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// idempotency remembers the transactions that succeeded with a client
// request token for ten minutes, as DynamoDB does: the same token and
// request again succeed without writing twice; the same token with another
// request is refused.
type idempotency struct {
	mu      sync.Mutex
	entries map[string]idemEntry
	// order lists the tokens as remembered, oldest first, so expiry looks
	// at the expired ones only, not at every token of the last ten minutes
	// on each transaction.
	order []idemRef
}

type idemRef struct {
	token string
	at    time.Time
}

type idemEntry struct {
	digest [32]byte
	at     time.Time
	out    *TransactWriteItemsOutput
}

const idempotencyWindow = 10 * time.Minute

// action is one parsed transaction action.
type action struct {
	t         *table
	key       av.Item
	cond      *expr.Condition
	update    *expr.Update
	put       av.Item
	delete    bool
	check     bool // a ConditionCheck: nothing is written
	returnOld string
}

// TransactWriteItems applies up to 100 actions on distinct items all or
// none: if any condition fails, nothing is written and the answer says, for
// each action in order, why.
func (e *Engine) TransactWriteItems(in TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	n := len(in.TransactItems)
	if n == 0 || n > 100 {
		return nil, validation("1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	// The token is checked and remembered under the write lock, so two
	// racing requests with one token write once.
	e.mu.Lock()
	defer e.mu.Unlock()
	var digest [32]byte
	if in.ClientRequestToken != "" {
		if len(in.ClientRequestToken) > 36 {
			return nil, validation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", in.ClientRequestToken)
		}
		b, err := json.Marshal(in.TransactItems)
		if err != nil {
			return nil, fmt.Errorf("digest a transaction: %w", err)
		}
		digest = sha256.Sum256(b)
		if out, err := e.idem.seen(in.ClientRequestToken, digest, e.now()); out != nil || err != nil {
			return out, err
		}
	}
	actions := make([]action, n)
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		a, err := e.parseAction(ti, false)
		if err != nil {
			return nil, err
		}
		id := string(a.t.itemKey(a.key))
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		actions[i] = a
	}
	changes := make([]change, 0, n)
	reasons := make([]CancellationReason, n)
	failed := false
	for i, a := range actions {
		reasons[i] = CancellationReason{Code: "None"}
		old, err := e.get(a.t.itemKey(a.key))
		if err != nil {
			return nil, err
		}
		after, write, err := a.resolve(old)
		var ce *Error
		switch {
		case errors.As(err, &ce) && ce.Type == excConditionFailed:
			reasons[i] = CancellationReason{Code: "ConditionalCheckFailed", Message: ce.Message, Item: ce.Item}
			failed = true
		case err != nil && a.update != nil:
			reasons[i] = CancellationReason{Code: "ValidationError", Message: asError(err).Message}
			failed = true
		case err != nil:
			return nil, err
		case write:
			changes = append(changes, change{t: a.t, before: old, after: after})
		}
	}
	if failed {
		codes := make([]string, n)
		for i, r := range reasons {
			codes[i] = r.Code
		}
		return nil, &Error{Type: excTxCanceled, Status: http.StatusBadRequest, Reasons: reasons,
			Message: "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"}
	}
	if err := e.commit(changes); err != nil {
		return nil, err
	}
	out := &TransactWriteItemsOutput{}
	if e.opts.Meter != nil {
		var total float64
		for _, c := range changes {
			total += 2 * writeCapacity("TOTAL", c.t, c.before, c.after).CapacityUnits
		}
		// A ConditionCheck writes nothing but costs like a write of its item.
		total += 2 * float64(len(in.TransactItems)-len(changes))
		e.opts.Meter.add("TransactWriteItems", 0, total)
	}
	if in.ReturnConsumedCapacity == "TOTAL" || in.ReturnConsumedCapacity == "INDEXES" {
		// Transactional writes cost twice a plain write.
		byTable := map[string]*ConsumedCapacity{}
		var order []string
		for _, c := range changes {
			wc := writeCapacity("TOTAL", c.t, c.before, c.after)
			got, ok := byTable[c.t.meta.Name]
			if !ok {
				got = &ConsumedCapacity{TableName: c.t.meta.Name}
				byTable[c.t.meta.Name] = got
				order = append(order, c.t.meta.Name)
			}
			got.CapacityUnits += 2 * wc.CapacityUnits
			got.WriteCapacityUnits += 2 * wc.WriteCapacityUnits
		}
		for _, name := range order {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *byTable[name])
		}
	}
	if in.ClientRequestToken != "" {
		e.idem.remember(in.ClientRequestToken, digest, e.now(), out)
	}
	return out, nil
}

// keepsKey refuses an update that would change a key attribute.
func (t *table) keepsKey(u *expr.Update) error {
	if u == nil {
		return nil
	}
	for _, p := range u.Paths() {
		for _, ka := range t.keyAttrs() {
			if len(p) > 0 && p[0].Name == ka.name {
				return validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", ka.name)
			}
		}
	}
	return nil
}

// resolve checks an action's condition on its item as it is (old, nil when
// there is none) and makes the item's new state: nil for a delete. write is
// false when nothing is to be written (a condition check, or deleting an
// item that is not there).
func (a action) resolve(old av.Item) (after av.Item, write bool, err error) {
	if err := conditionHolds(a.cond, old, a.returnOld); err != nil {
		return nil, false, err
	}
	switch {
	case a.put != nil:
		return a.put.Clone(), true, nil
	case a.delete:
		return nil, old != nil, nil
	case a.check:
		return nil, false, nil
	}
	base := old
	if base == nil {
		base = a.key.Clone()
	}
	after = base.Clone()
	if a.update != nil {
		if after, err = a.update.Apply(base); err != nil {
			return nil, false, err
		}
	}
	if err := a.t.checkItem(after); err != nil {
		return nil, false, err
	}
	return after, true, nil
}

// parseAction checks a transaction's action, or a single-item write's (an
// UpdateItem may then have no UpdateExpression: it makes the item with its
// key alone), and finds its table; the caller holds mu.
func (e *Engine) parseAction(ti TransactWriteItem, single bool) (action, error) {
	set := 0
	for _, p := range []bool{ti.Put != nil, ti.Update != nil, ti.Delete != nil, ti.ConditionCheck != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return action{}, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	var (
		a         action
		tableName string
		ex        Exprs
		condition string
		key       av.Item
	)
	switch {
	case ti.Put != nil:
		tableName, ex, condition, a.returnOld = ti.Put.TableName, ti.Put.Exprs, ti.Put.ConditionExpression, ti.Put.ReturnValuesOnConditionCheckFailure
	case ti.Update != nil:
		tableName, ex, condition, a.returnOld, key = ti.Update.TableName, ti.Update.Exprs, ti.Update.ConditionExpression, ti.Update.ReturnValuesOnConditionCheckFailure, ti.Update.Key
	case ti.Delete != nil:
		tableName, ex, condition, a.returnOld, key = ti.Delete.TableName, ti.Delete.Exprs, ti.Delete.ConditionExpression, ti.Delete.ReturnValuesOnConditionCheckFailure, ti.Delete.Key
		a.delete = true
	default:
		c := ti.ConditionCheck
		tableName, ex, condition, a.returnOld, key = c.TableName, c.Exprs, c.ConditionExpression, c.ReturnValuesOnConditionCheckFailure, c.Key
		if condition == "" {
			return action{}, validation("The ConditionExpression parameter is required for ConditionCheck")
		}
		a.check = true
	}
	t, err := e.table(tableName)
	if err != nil {
		return action{}, err
	}
	a.t = t
	x := newExprs(ex)
	if a.cond, err = x.condition(condition); err != nil {
		return action{}, err
	}
	if ti.Update != nil {
		if ti.Update.AttributeUpdates != nil {
			return action{}, legacy("AttributeUpdates")
		}
		if ti.Update.UpdateExpression == "" && !single {
			return action{}, validation("The UpdateExpression parameter is required for Update")
		}
		if ti.Update.UpdateExpression != "" {
			if a.update, err = x.update(ti.Update.UpdateExpression); err != nil {
				return action{}, err
			}
		}
		if err := t.keepsKey(a.update); err != nil {
			return action{}, err
		}
	}
	if err := x.done(); err != nil {
		return action{}, err
	}
	if ti.Put != nil {
		if err := t.checkItem(ti.Put.Item); err != nil {
			return action{}, err
		}
		a.put = ti.Put.Item
		a.key = t.keyFrom(ti.Put.Item)
		return a, nil
	}
	if a.key, err = t.keyOf(key); err != nil {
		return action{}, err
	}
	return a, nil
}

func (id *idempotency) seen(token string, digest [32]byte, now time.Time) (*TransactWriteItemsOutput, error) {
	id.mu.Lock()
	defer id.mu.Unlock()
	for len(id.order) > 0 && now.Sub(id.order[0].at) > idempotencyWindow {
		ref := id.order[0]
		id.order = id.order[1:]
		// A token remembered again since has a newer entry: it stays.
		if got, ok := id.entries[ref.token]; ok && got.at.Equal(ref.at) {
			delete(id.entries, ref.token)
		}
	}
	got, ok := id.entries[token]
	if ok && now.Sub(got.at) > idempotencyWindow {
		// Expired behind a younger token (a clock that went back).
		delete(id.entries, token)
		ok = false
	}
	if !ok {
		return nil, nil
	}
	if got.digest != digest {
		return nil, &Error{Type: excIdempotentMismatch, Status: http.StatusBadRequest, Message: "Request parameters do not match the idempotency token"}
	}
	return got.out, nil
}

func (id *idempotency) remember(token string, digest [32]byte, now time.Time, out *TransactWriteItemsOutput) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.entries[token] = idemEntry{digest: digest, at: now, out: out}
	id.order = append(id.order, idemRef{token: token, at: now})
}

// TransactGetItemsInput is TransactGetItems' request.
type TransactGetItemsInput struct {
	TransactItems []struct {
		Get *GetItemInput
	}
	ReturnConsumedCapacity string
}

// ItemResponse is one item of TransactGetItems' answer.
type ItemResponse struct {
	Item av.Item `json:",omitempty"`
}

// TransactGetItemsOutput is TransactGetItems' answer.
type TransactGetItemsOutput struct {
	Responses []ItemResponse
}

// TransactGetItems reads up to 100 items as of one moment: no write lands
// between its reads.
func (e *Engine) TransactGetItems(in TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	n := len(in.TransactItems)
	if n == 0 || n > 100 {
		return nil, validation("1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	// Writers hold mu exclusively: holding it shared, the reads see one state.
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, n)}
	var read float64
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		if ti.Get == nil {
			return nil, validation("TransactItems can only contain Get")
		}
		g := ti.Get
		x := newExprs(g.Exprs)
		proj, err := x.projection(g.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := x.done(); err != nil {
			return nil, err
		}
		t, err := e.table(g.TableName)
		if err != nil {
			return nil, err
		}
		key, err := t.keyOf(g.Key)
		if err != nil {
			return nil, err
		}
		k := t.itemKey(key)
		if seen[string(k)] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[string(k)] = true
		item, err := e.get(k)
		if err != nil {
			return nil, err
		}
		if item != nil && proj != nil {
			item = proj.Apply(item)
		}
		out.Responses[i] = ItemResponse{Item: item}
		// Transactional reads cost twice a strongly consistent read.
		read += 2 * units(itemSize(item), 4096)
	}
	e.opts.Meter.add("TransactGetItems", read, 0)
	return out, nil
}
