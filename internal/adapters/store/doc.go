package store

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attrDocZ holds a ticket's document compressed (DEFLATE) when that makes
// the item smaller: the META item is rewritten on every change of the
// ticket, and a write costs one unit per started kilobyte, so a document of
// 1.4 KB that deflates to 0.7 KB halves the write. AWS's DynamoDB guide
// recommends compressing large attribute values for exactly this.
const attrDocZ = "docz"

// compressFrom is the document size below which compression saves no unit.
const compressFrom = 512

// docAttrs are the attributes that carry doc: doc itself, or docz; the
// other is nil (removed).
func docAttrs(doc []byte) (map[string]types.AttributeValue, error) {
	if len(doc) < compressFrom {
		return map[string]types.AttributeValue{attrDoc: str(string(doc)), attrDocZ: nil}, nil
	}
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("store: compress ticket: %w", err)
	}
	if _, err := w.Write(doc); err != nil {
		return nil, fmt.Errorf("store: compress ticket: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("store: compress ticket: %w", err)
	}
	return map[string]types.AttributeValue{attrDocZ: &types.AttributeValueMemberB{Value: b.Bytes()}, attrDoc: nil}, nil
}

// maxDocBytes bounds an inflated document: DynamoDB items are at most
// 400 KB, and a corrupt value must not inflate without end.
const maxDocBytes = 4 << 20

// docOf is the ticket document an item carries, compressed or not.
func docOf(item map[string]types.AttributeValue) ([]byte, error) {
	z, ok := item[attrDocZ].(*types.AttributeValueMemberB)
	if !ok {
		return []byte(strAttr(item, attrDoc)), nil
	}
	r := flate.NewReader(bytes.NewReader(z.Value))
	defer r.Close()
	doc, err := io.ReadAll(io.LimitReader(r, maxDocBytes+1))
	if err != nil {
		return nil, fmt.Errorf("inflate document: %w", err)
	}
	if len(doc) > maxDocBytes {
		return nil, fmt.Errorf("inflate document: larger than %d bytes", maxDocBytes)
	}
	return doc, nil
}
