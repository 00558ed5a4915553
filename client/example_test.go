package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hotline12345/hotline/client"
)

// A citizen files a complaint and follows it until the department replies,
// then rates the reply. (It needs a running API, `hotline serve`, and the
// code sent to the e-mail address, so it is compiled but not run.)
func Example() {
	ctx := context.Background()
	hl, err := client.New("http://127.0.0.1:8080", client.WithLanguage("zh"))
	if err != nil {
		log.Fatal(err)
	}

	// Prove the contact: a six-digit code goes to the address.
	sent, err := hl.RequestVerification(ctx, client.VerificationRequest{Email: "zhang.san@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	code := "482913" // what the citizen read in the e-mail

	receipt, err := hl.FileTicket(ctx, client.Submission{
		Type:         client.TypeComplaint,
		Category:     "consumer.refund",
		Channel:      client.ChannelWeb,
		Content:      "我在某某超市购买的电饭煲三天就坏了，商家拒绝退货，请帮助处理。",
		InvolvedUnit: "某某超市",
		Location:     &client.Location{Region: "110105", Address: "朝阳区某某路1号"},
		Contact:      &client.Contact{Name: "张三", Email: "zhang.san@example.com"},
		Language:     client.LanguageZH,
		Verification: &client.VerificationProof{ID: sent.VerificationID, Code: code},
	}, client.IdempotencyKey("web-2f1c9a7e-5b8d-4c3a")) // safe to send again if the answer is lost
	var p *client.Problem
	if errors.As(err, &p) && p.Code == client.CodeVerificationRequired {
		log.Fatalf("the code was wrong or expired: %s", p.Detail)
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ticket", receipt.ID, "access code", receipt.AccessCode)

	// Poll cheaply: while nothing changed the API answers 304.
	var view *client.CitizenView
	etag := ""
	for view == nil || view.Status != client.StatusReplied {
		v, tag, err := hl.GetTicketIfChanged(ctx, receipt.ID, receipt.AccessCode, etag)
		switch {
		case errors.Is(err, client.ErrNotModified):
		case err != nil:
			log.Fatal(err)
		default:
			view, etag = v, tag
			fmt.Println(view.StatusText)
		}
		time.Sleep(time.Minute)
	}
	fmt.Println(view.Reply.Result, view.Reply.Message)

	if _, err := hl.Rate(ctx, receipt.ID, receipt.AccessCode, client.RatingRequest{Satisfied: true, Score: 5}); err != nil {
		log.Fatal(err)
	}
}

// A department walks its inbox and accepts what was dispatched to it.
func ExampleClient_DepartmentInboxAll() {
	ctx := context.Background()
	hl, err := client.New("http://127.0.0.1:8080", client.WithToken("…a department's JWT…"))
	if err != nil {
		log.Fatal(err)
	}
	for t, err := range hl.DepartmentInboxAll(ctx, "market", client.InboxQuery{Status: client.InboxDispatched}) {
		if err != nil {
			log.Fatal(err)
		}
		if _, err := hl.Accept(ctx, t.ID); err != nil && !client.IsConflict(err) {
			log.Fatal(err)
		}
	}
}

// An admin renames a department: the write names the version it read, so a
// change another admin made meanwhile is not overwritten.
func ExampleClient_PutDepartment() {
	ctx := context.Background()
	hl, err := client.New("http://127.0.0.1:8080", client.WithToken("…an admin's JWT…"))
	if err != nil {
		log.Fatal(err)
	}
	for {
		d, etag, err := hl.GetDepartment(ctx, "market")
		if err != nil {
			log.Fatal(err)
		}
		in := d.Input()
		in.NameEn = "Municipal Administration for Market Regulation"
		_, _, err = hl.PutDepartment(ctx, "market", in, etag)
		if client.IsPreconditionFailed(err) {
			continue // someone else changed the catalog: read again
		}
		if err != nil {
			log.Fatal(err)
		}
		return
	}
}
