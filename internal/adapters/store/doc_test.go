package store

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A large document is kept deflated and smaller, a small one as it is, and
// both read back the same; an item written before compression still reads.
func TestDocumentsAreCompressedWhenThatSavesSpace(t *testing.T) {
	for _, doc := range [][]byte{
		[]byte(`{"id":"T1","content":"短"}`),
		[]byte(`{"id":"T2","content":"` + strings.Repeat("商家拒绝退货，请有关部门处理。", 40) + `"}`),
	} {
		attrs, err := docAttrs(doc)
		if err != nil {
			t.Fatal(err)
		}
		item := map[string]types.AttributeValue{}
		for k, v := range attrs {
			if v != nil {
				item[k] = v
			}
		}
		z, compressed := item[attrDocZ].(*types.AttributeValueMemberB)
		if compressed != (len(doc) >= compressFrom) || len(item) != 1 {
			t.Fatalf("%d-byte document stored as %v", len(doc), item)
		}
		if compressed && len(z.Value) >= len(doc)/2 {
			t.Errorf("%d bytes deflated to %d", len(doc), len(z.Value))
		}
		got, err := docOf(item)
		if err != nil || !bytes.Equal(got, doc) {
			t.Fatalf("read back %q, %v", got, err)
		}
	}
	if got, err := docOf(map[string]types.AttributeValue{attrDoc: str(`{"id":"old"}`)}); err != nil || string(got) != `{"id":"old"}` {
		t.Fatalf("uncompressed item: %q %v", got, err)
	}
	if _, err := docOf(map[string]types.AttributeValue{attrDocZ: &types.AttributeValueMemberB{Value: []byte("not deflate")}}); err == nil {
		t.Fatal("a corrupt document read without error")
	}
}
