// Package loadtest is the project's load harness: it files tickets over HTTP at a
// bounded rate of concurrency and measures what a citizen and a department feel —
// submit latency, and the time from submit until the department's queue message
// arrives. Request count and run time are always bounded.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hotline12345/hotline/deptmsg"
	"github.com/hotline12345/hotline/internal/localmode/inbox"
)

// Options of a run.
type Options struct {
	APIURL string
	// EdgeURL, when set, is where the verification codes are read: each
	// citizen verifies an e-mail address, as on the web page, and files with
	// it. Without it the tickets are anonymous.
	EdgeURL string
	// ClearMailEvery, when positive, deletes the edge's captured mail after
	// that many verifications, while no citizen waits for a code. The edge
	// keeps every mail and copies them all on each look-up, so without it
	// reading a code costs more the longer the run: the test facility's cost,
	// not the platform's. Only for a platform of the run's own (it deletes
	// everyone's mail).
	ClearMailEvery int
	Tickets        int           // how many tickets to file (bounded to MaxTickets)
	Concurrency    int           // parallel citizens
	Timeout        time.Duration // the whole run stops after this
	// Queue, when set, is read to time submit → dispatched for tickets routed
	// to QueueURL's department.
	Queue    *sqs.Client
	QueueURL string
	Now      func() time.Time
	Progress io.Writer // one line per 10% of the tickets; nil: silent
}

// MaxTickets keeps a run from turning into a flood by mistake.
const MaxTickets = 100000

// Result summarises a run.
type Result struct {
	Filed, Failed   int
	Elapsed         time.Duration
	Submit          Percentiles
	ToDispatched    Percentiles
	DispatchedCount int
}

// Percentiles of a latency sample.
type Percentiles struct {
	P50, P95, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: d[len(d)-1]}
}

// PerSecond is the filing throughput.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Filed) / r.Elapsed.Seconds()
}

func (r Result) String() string {
	s := fmt.Sprintf("filed %d tickets (%d failed) in %v: %.0f tickets/s; submit latency p50 %v p95 %v p99 %v max %v",
		r.Filed, r.Failed, r.Elapsed.Round(time.Millisecond), r.PerSecond(), r.Submit.P50, r.Submit.P95, r.Submit.P99, r.Submit.Max)
	if r.DispatchedCount > 0 {
		s += fmt.Sprintf("; submit → department message (%d) p50 %v p95 %v p99 %v max %v",
			r.DispatchedCount, r.ToDispatched.P50, r.ToDispatched.P95, r.ToDispatched.P99, r.ToDispatched.Max)
	}
	return s
}

// Submission is the complaint the harness files: routed to market regulation by
// the default seed; no real person's data. It names citizen's address, or
// none (anonymous) when citizen is negative.
func Submission(i, citizen int) map[string]any {
	sub := map[string]any{
		"type": "complaint", "category": "consumer.refund", "channel": "web",
		"content":  fmt.Sprintf("压力测试工单 %d：购买的商品质量有问题，商家拒绝退货。", i),
		"language": "zh", "anonymous": true,
	}
	if citizen >= 0 {
		sub["anonymous"] = false
		sub["contact"] = map[string]any{"email": fmt.Sprintf("load-%d@example.com", citizen)}
	}
	return sub
}

// Run files the tickets and, when a queue is given, waits for their messages.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Tickets <= 0 || o.Tickets > MaxTickets {
		return Result{}, fmt.Errorf("tickets must be 1 to %d", MaxTickets)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	var (
		mu        sync.Mutex
		submitted = map[string]time.Time{}
		latencies []time.Duration
		failed    int
	)
	// A connection per citizen and host, kept between requests as a
	// browser keeps one; the default transport keeps only two a host, so
	// eight citizens would dial anew for most requests.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = o.Concurrency
	defer transport.CloseIdleConnections()
	client := &http.Client{Timeout: 30 * time.Second, Transport: transport}
	mail := &mailbox{edgeURL: o.EdgeURL, every: o.ClearMailEvery, client: client}
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := o.Now()
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				sub := Submission(i, -1)
				if o.EdgeURL != "" {
					// A citizen verifies the address first, as on the web page:
					// part of what a filing costs.
					v, err := mail.verify(o.APIURL, Submission(i, i))
					if err != nil {
						mu.Lock()
						failed++
						mu.Unlock()
						continue
					}
					sub = v
				}
				t0 := o.Now()
				id, err := file(ctx, client, o.APIURL, sub)
				d := o.Now().Sub(t0)
				mu.Lock()
				if err != nil {
					failed++
				} else {
					latencies = append(latencies, d)
					submitted[id] = t0
				}
				mu.Unlock()
			}
		}()
	}
	// The department reads its queue while citizens file, as it would.
	type consumed struct {
		waits []time.Duration
		err   error
	}
	filingDone := make(chan struct{})
	consumerDone := make(chan consumed, 1)
	if o.Queue != nil {
		go func() {
			waits, err := consume(ctx, o, &mu, submitted, filingDone)
			consumerDone <- consumed{waits, err}
		}()
	}
	step := max(o.Tickets/10, 1)
	for i := range o.Tickets {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		if o.Progress != nil && (i+1)%step == 0 {
			fmt.Fprintf(o.Progress, "filed %d/%d\n", i+1, o.Tickets)
		}
	}
	close(jobs)
	wg.Wait()
	close(filingDone)
	mu.Lock()
	res := Result{Filed: len(latencies), Failed: failed, Elapsed: o.Now().Sub(start), Submit: percentiles(latencies)}
	mu.Unlock()
	if o.Queue != nil {
		c := <-consumerDone
		res.ToDispatched, res.DispatchedCount = percentiles(c.waits), len(c.waits)
		if c.err != nil {
			return res, c.err
		}
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("run stopped after %v: %w", o.Timeout, ctx.Err())
	}
	return res, mail.err()
}

// mailbox reads the citizens' codes and, every so many, clears the captured
// mail while no citizen is between asking for a code and reading it.
type mailbox struct {
	edgeURL string
	every   int
	client  *http.Client

	mu       sync.RWMutex // held for reading by each verification
	countMu  sync.Mutex
	verified int
	clearErr error // the first failure to clear, which ends clearing
}

func (m *mailbox) verify(apiURL string, sub map[string]any) (map[string]any, error) {
	m.mu.RLock()
	v, err := inbox.VerifyWith(m.client, m.edgeURL, inbox.ClientPoster(m.client, apiURL), sub)
	m.mu.RUnlock()
	if err != nil || m.every <= 0 {
		return v, err
	}
	m.countMu.Lock()
	m.verified++
	clear := m.verified%m.every == 0 && m.clearErr == nil
	m.countMu.Unlock()
	if clear {
		m.mu.Lock()
		cerr := inbox.ClearMail(m.edgeURL)
		m.mu.Unlock()
		if cerr != nil {
			m.countMu.Lock()
			m.clearErr = cerr
			m.countMu.Unlock()
		}
	}
	return v, nil
}

func (m *mailbox) err() error {
	m.countMu.Lock()
	defer m.countMu.Unlock()
	return m.clearErr
}

func file(ctx context.Context, client *http.Client, api string, sub map[string]any) (string, error) {
	body, err := json.Marshal(sub)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/v1/tickets", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var rec struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil || rec.ID == "" {
		return "", errors.New("malformed receipt")
	}
	return rec.ID, nil
}

// consume long-polls the department queue, matching messages to filed tickets,
// until filing is over and every filed ticket's message arrived, or the run's
// deadline passed. A message can arrive before its filer recorded the ticket id,
// so unmatched arrivals are kept and matched later.
func consume(ctx context.Context, o Options, mu *sync.Mutex, submitted map[string]time.Time, filingDone <-chan struct{}) ([]time.Duration, error) {
	var waits []time.Duration
	early := map[string]time.Time{}
	for {
		mu.Lock()
		for id, at := range early {
			if t0, ok := submitted[id]; ok {
				waits = append(waits, at.Sub(t0))
				delete(submitted, id)
				delete(early, id)
			}
		}
		pending := len(submitted)
		mu.Unlock()
		select {
		case <-filingDone:
			if pending == 0 {
				return waits, nil
			}
		default:
		}
		if ctx.Err() != nil {
			return waits, nil
		}
		out, err := o.Queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(o.QueueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			if ctx.Err() != nil {
				return waits, nil
			}
			return waits, fmt.Errorf("receive: %w", err)
		}
		now := o.Now()
		for _, m := range out.Messages {
			if msg, err := deptmsg.Decode([]byte(aws.ToString(m.Body))); err == nil {
				early[msg.TicketID] = now
			}
			if _, err := o.Queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(o.QueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return waits, fmt.Errorf("delete: %w", err)
			}
		}
	}
}
