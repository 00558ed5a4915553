package av

import (
	"encoding/json"
	"strconv"
	"testing"
)

// benchItem is shaped like a ticket's item: keys, strings (some Chinese),
// numbers, a sealed binary, a map and a list.
func benchItem() Item {
	it := Item{
		"pk": Str("TICKET#01JD8V4M3K2Q"), "sk": Str("META"), "gsi1pk": Str("STATUS#open"), "gsi1sk": Str("2026-11-30T10:00:00Z#01JD8V4M3K2Q"),
		"content": Str("压力测试工单 17：购买的商品质量有问题，商家拒绝退货。"), "category": Str("consumer.refund"),
		"version": Num("7"), "attempts": Num("0"), "created": Num("1764496800123"),
		"sealed":  Bin([]byte("0123456789abcdef0123456789abcdef0123456789abcdef")),
		"routing": {Kind: M, M: map[string]Value{"dept": Str("market"), "score": Num("0.87"), "manual": {Kind: BOOL}}},
	}
	var events []Value
	for i := range 5 {
		events = append(events, Value{Kind: M, M: map[string]Value{"at": Num(strconv.Itoa(1764496800000 + i)), "what": Str("routed")}})
	}
	it["events"] = Value{Kind: L, L: events}
	return it
}

func BenchmarkItemJSON(b *testing.B) {
	it := benchItem()
	wire, _ := json.Marshal(it)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		var buf []byte
		for b.Loop() {
			buf = it.AppendJSON(buf[:0])
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			var back Item
			if err := json.Unmarshal(wire, &back); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkItemBinary(b *testing.B) {
	it := benchItem()
	b.ReportAllocs()
	for b.Loop() {
		_ = it.AppendBinary(nil)
	}
}
