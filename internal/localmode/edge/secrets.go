package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/localmode/durable"
)

// Secrets Manager, JSON protocol (X-Amz-Target secretsmanager.<Op>):
// CreateSecret, GetSecretValue and PutSecretValue of string secrets, which
// is what the notifiers read their credentials with (Tencent Cloud SMS, SMTP).
// Only the current version is kept; values never reach the log.

type secret struct {
	ARN       string    `json:"arn"`
	Name      string    `json:"name"`
	Value     string    `json:"value"`
	VersionID string    `json:"versionId"`
	Created   time.Time `json:"created"`
}

type secretsService struct {
	region, accountID string
	clock             Clock
	keep              *keep

	mu      sync.Mutex
	secrets map[string]*secret // by name
}

func newSecretsService(region, accountID string, clock Clock) *secretsService {
	return &secretsService{region: region, accountID: accountID, clock: clock, secrets: map[string]*secret{}}
}

var secretsKey = durable.Key("secrets", "")

func secretKeyOf(name string) []byte { return durable.Key("secrets", name) }

func (s *secretsService) load(st *durable.Store) error {
	return durable.ScanJSON(st, secretsKey, func(_ []byte, v *secret) error {
		s.secrets[v.Name] = v
		return nil
	})
}

// maxSecretBytes is Secrets Manager's limit on a value.
const maxSecretBytes = 65536

func (s *secretsService) serve(w http.ResponseWriter, op string, body []byte) {
	var in struct {
		Name               string
		SecretId           string
		SecretString       *string
		SecretBinary       []byte
		ClientRequestToken string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "malformed request")
		return
	}
	const ctype = "application/x-amz-json-1.1"
	switch op {
	case "CreateSecret":
		if !validSecretName(in.Name) {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
			return
		}
		if in.SecretBinary != nil || in.SecretString == nil {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "the local AWS edge keeps only SecretString secrets")
			return
		}
		if len(*in.SecretString) > maxSecretBytes {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "SecretString is longer than 65536 bytes")
			return
		}
		s.mu.Lock()
		if _, ok := s.secrets[in.Name]; ok {
			s.mu.Unlock()
			writeJSONError(w, http.StatusBadRequest, "ResourceExistsException", "The operation failed because the secret "+in.Name+" already exists.")
			return
		}
		v := &secret{ARN: "arn:aws:secretsmanager:" + s.region + ":" + s.accountID + ":secret:" + in.Name + "-" + newID()[:6],
			Name: in.Name, Value: *in.SecretString, VersionID: versionOr(in.ClientRequestToken), Created: s.clock.Now().UTC()}
		if err := s.saveAndUnlock(v); err != nil {
			writeJSONError(w, http.StatusInternalServerError, "InternalServiceError", err.Error())
			return
		}
		writeJSON(w, ctype, map[string]string{"ARN": v.ARN, "Name": v.Name, "VersionId": v.VersionID})
	case "GetSecretValue":
		v, ok := s.find(in.SecretId)
		if !ok {
			writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		writeJSON(w, ctype, map[string]any{"ARN": v.ARN, "Name": v.Name, "VersionId": v.VersionID, "SecretString": v.Value,
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": float64(v.Created.UnixMilli()) / 1000})
	case "PutSecretValue":
		if in.SecretString == nil || len(*in.SecretString) > maxSecretBytes {
			writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "the local AWS edge keeps only SecretString secrets of at most 65536 bytes")
			return
		}
		s.mu.Lock()
		cur, ok := s.findLocked(in.SecretId)
		if !ok {
			s.mu.Unlock()
			writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		next := *cur
		next.Value, next.VersionID = *in.SecretString, versionOr(in.ClientRequestToken)
		if err := s.saveAndUnlock(&next); err != nil {
			writeJSONError(w, http.StatusInternalServerError, "InternalServiceError", err.Error())
			return
		}
		writeJSON(w, ctype, map[string]any{"ARN": next.ARN, "Name": next.Name, "VersionId": next.VersionID, "VersionStages": []string{"AWSCURRENT"}})
	default:
		writeJSONError(w, http.StatusBadRequest, "UnsupportedOperation", "the local AWS edge does not support Secrets Manager "+op)
	}
}

func versionOr(token string) string {
	if token != "" {
		return token
	}
	return newID()
}

// saveAndUnlock keeps v, on disk first, then releases s.mu (which the caller
// holds) and waits for the disk: a secret the client is told is stored is.
func (s *secretsService) saveAndUnlock(v *secret) error {
	err := s.keep.writeNow(keptOp{key: secretKeyOf(v.Name), value: v})
	if err == nil {
		s.secrets[v.Name] = v
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.keep.syncNow()
}

func (s *secretsService) find(id string) (secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.findLocked(id)
	if !ok {
		return secret{}, false
	}
	return *v, true
}

// findLocked finds a secret by name or ARN; s.mu must be held.
func (s *secretsService) findLocked(id string) (*secret, bool) {
	if v, ok := s.secrets[id]; ok {
		return v, true
	}
	if strings.HasPrefix(id, "arn:") {
		for _, v := range s.secrets {
			if v.ARN == id {
				return v, true
			}
		}
	}
	return nil, false
}

func validSecretName(n string) bool {
	if n == "" || utf8.RuneCountInString(n) > 512 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-/_+=.@!", c)) {
			return false
		}
	}
	return true
}
