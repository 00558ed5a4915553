package edge

import "fmt"

// The batch operations run each entry through the same steps as the single
// operations (validateSend/enqueue, deleteOne, changeOne), answering per
// entry; only the checks on the batch itself are their own.

const (
	maxBatchEntries = 10
	maxBatchBytes   = 1048576 // the sum of the bodies and attributes, as for one message
)

type sendBatchEntry struct {
	Id                string
	MessageBody       *string
	DelaySeconds      *int
	MessageAttributes map[string]sqsAttr
	MessageGroupId    string
}

type sendBatchInput struct {
	QueueUrl string
	Entries  []sendBatchEntry
}

type receiptBatchEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type receiptBatchInput struct {
	QueueUrl string
	Entries  []receiptBatchEntry
}

type batchResultError struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message"`
}

type sendBatchResult struct {
	Id string `json:"Id"`
	sendOutput
}

// sendBatchOutput: AWS always answers both lists, empty or not.
type sendBatchOutput struct {
	Successful []sendBatchResult  `json:"Successful"`
	Failed     []batchResultError `json:"Failed"`
}

type batchResultID struct {
	Id string `json:"Id"`
}

type idBatchOutput struct {
	Successful []batchResultID    `json:"Successful"`
	Failed     []batchResultError `json:"Failed"`
}

func failedEntry(id string, err *sqsError) batchResultError {
	return batchResultError{Id: id, SenderFault: err.status < 500, Code: err.queryCode, Message: err.message}
}

func batchError(shape, message string) *sqsError {
	return &sqsError{400, shape, "AWS.SimpleQueueService." + shape, message}
}

// checkBatchIDs applies SQS's rules on a batch's entry ids.
func checkBatchIDs(ids []string) *sqsError {
	if len(ids) == 0 {
		return batchError("EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	}
	if len(ids) > maxBatchEntries {
		return batchError("TooManyEntriesInBatchRequest", fmt.Sprintf("Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids)))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !validQueueName(id) {
			return batchError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return batchError("BatchEntryIdsNotDistinct", "Id "+id+" repeated.")
		}
		seen[id] = true
	}
	return nil
}

func (s *sqsService) sendMessageBatch(in *sendBatchInput) (any, *sqsError) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatchIDs(ids); err != nil {
		return nil, err
	}
	total := 0
	sizes := make([]int, len(in.Entries))
	errs := make([]*sqsError, len(in.Entries))
	for i, e := range in.Entries {
		sizes[i], errs[i] = validateSend(e.MessageBody, e.DelaySeconds, e.MessageAttributes)
		if e.MessageBody != nil {
			total += len(*e.MessageBody) + sizes[i]
		}
	}
	if total > maxBatchBytes {
		return nil, batchError("BatchRequestTooLong", fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchBytes, total))
	}
	// As SendMessage: on disk before the answer; a failed write fails the
	// whole call (every entry taken back), so no entry is acknowledged unkept.
	return s.locked(true, func() (any, *sqsError) {
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		out := sendBatchOutput{Successful: []sendBatchResult{}, Failed: []batchResultError{}}
		for i, e := range in.Entries {
			if errs[i] != nil {
				out.Failed = append(out.Failed, failedEntry(e.Id, errs[i]))
				continue
			}
			sent, err := s.enqueue(q, *e.MessageBody, e.DelaySeconds, e.MessageAttributes, sizes[i])
			if err != nil {
				out.Failed = append(out.Failed, failedEntry(e.Id, err))
				continue
			}
			out.Successful = append(out.Successful, sendBatchResult{Id: e.Id, sendOutput: sent})
		}
		return out, nil
	})
}

// receiptBatch runs one per entry under the lock, collecting the answers;
// as the single deletes and visibility changes, it does not wait for the
// disk (see unlock).
func (s *sqsService) receiptBatch(in *receiptBatchInput, one func(q *sqsQueue, e receiptBatchEntry) *sqsError) (any, *sqsError) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatchIDs(ids); err != nil {
		return nil, err
	}
	return s.locked(false, func() (any, *sqsError) {
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		out := idBatchOutput{Successful: []batchResultID{}, Failed: []batchResultError{}}
		for _, e := range in.Entries {
			if err := one(q, e); err != nil {
				out.Failed = append(out.Failed, failedEntry(e.Id, err))
				continue
			}
			out.Successful = append(out.Successful, batchResultID{e.Id})
		}
		return out, nil
	})
}

func (s *sqsService) deleteMessageBatch(in *receiptBatchInput) (any, *sqsError) {
	return s.receiptBatch(in, func(q *sqsQueue, e receiptBatchEntry) *sqsError {
		return s.deleteOne(q, e.ReceiptHandle)
	})
}

func (s *sqsService) changeVisibilityBatch(in *receiptBatchInput) (any, *sqsError) {
	return s.receiptBatch(in, func(q *sqsQueue, e receiptBatchEntry) *sqsError {
		if err := validVisibility(e.VisibilityTimeout); err != nil {
			return err
		}
		return s.changeOne(q, e.ReceiptHandle, *e.VisibilityTimeout)
	})
}
