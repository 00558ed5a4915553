package attach_test

import (
	"errors"
	"testing"

	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/media"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

func TestParseRequestNamesEachBadField(t *testing.T) {
	lim := media.DefaultLimits()
	for _, c := range []struct {
		body, field string
	}{
		{`{"contentType":"image/jpg","size":1,"purpose":"ticket"}`, "contentType"},
		{`{"contentType":"image/jpeg","size":0,"purpose":"ticket"}`, "size"},
		{`{"contentType":"image/jpeg","size":20971521,"purpose":"ticket"}`, "size"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"avatar"}`, "purpose"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"supplement"}`, "ticketId"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"ticket","ticketId":"261201ABCDEF"}`, "ticketId"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"reply","ticketId":"../x"}`, "ticketId"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"supplement","ticketId":"261201ABCDEF","verification":{"id":"v","code":"123456"}}`, "verification"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"ticket","name":"a/b.jpg"}`, "name"},
		{`{"contentType":"image/jpeg","size":1,"purpose":"ticket","name":"C:\\x.jpg"}`, "name"},
	} {
		_, err := attach.ParseRequest([]byte(c.body), lim)
		var v *ticket.ValidationError
		if !errors.As(err, &v) || v.Fields[c.field] == "" {
			t.Errorf("%s: %v, want a problem with %s", c.body, err, c.field)
		}
	}
	r, err := attach.ParseRequest([]byte(`{"contentType":"application/pdf","size":2048,"purpose":"supplement","ticketId":"261201abcdef","name":" 发票 11月.pdf "}`), lim)
	if err != nil || r.TicketID != "261201ABCDEF" || r.Name != "发票 11月.pdf" {
		t.Errorf("a good request: %+v, %v", r, err)
	}
	if _, err := attach.ParseRequest([]byte(`{"contentType":"image/png","size":1,"purpose":"ticket","extra":1}`), lim); err == nil {
		t.Error("an unknown field was taken")
	}
}

// FuzzParseRequest: any body is refused with a clear error or parsed into
// a request the platform can sign.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"contentType":"image/jpeg","size":1024,"purpose":"ticket","name":"照片.jpg"}`))
	f.Add([]byte(`{"contentType":"application/pdf","size":1,"purpose":"reply","ticketId":"261201ABCDEF"}`))
	f.Add([]byte(`{"contentType":"image/heic","size":5,"purpose":"ticket","verification":{"id":"v1","code":"123456"}}`))
	f.Add([]byte(`{"size":-1}`))
	lim := media.DefaultLimits()
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := attach.ParseRequest(body, lim)
		if err != nil {
			if r != (attach.Request{}) {
				t.Fatalf("refused but answered %+v", r)
			}
			return
		}
		if !media.Accepted(r.ContentType) || r.Size < 1 || r.Size > lim.MaxBytes || !r.Purpose.Valid() {
			t.Fatalf("accepted %+v", r)
		}
		if r.Name != "" && media.CheckFileName(r.Name) != nil {
			t.Fatalf("accepted the name %q", r.Name)
		}
		if (r.Purpose == ticket.PurposeTicket) != (r.TicketID == "") || (r.TicketID != "" && !ticket.ValidID(r.TicketID)) {
			t.Fatalf("accepted ticket id %q for %s", r.TicketID, r.Purpose)
		}
	})
}
