package edge

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// KMS answers the KMS calls the platform's sealer makes (GenerateDataKey,
// Decrypt) plus CreateKey to set up keys, over the awsJson 1.1 protocol
// (X-Amz-Target: TrentService.<Op>). Keys are random AES-256 keys held in
// memory; wrapped data keys are AES-GCM under them with the encryption
// context as additional data, so a wrong context or key fails like on AWS.
// It is a standalone http.Handler: tests serve it on its own port.
type KMS struct {
	region, account string
	mu              sync.Mutex
	keys            map[string]cipher.AEAD // key id -> wrapping cipher
	order           []string
}

// NewKMS returns an empty KMS. Region and account appear in key ARNs.
func NewKMS(region, account string) *KMS {
	if region == "" {
		region = defaultRegion
	}
	if account == "" {
		account = defaultAccountID
	}
	return &KMS{region: region, account: account, keys: map[string]cipher.AEAD{}}
}

const kmsContentType = "application/x-amz-json-1.1"

// kmsMaxBody caps requests: the largest legal KMS request is a 6 KiB
// ciphertext in base64 plus a small context.
const kmsMaxBody = 64 << 10

func (k *KMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if r.Method != http.MethodPost || !ok {
		writeJSONError(w, http.StatusBadRequest, "UnsupportedOperation", "the local KMS answers POST with X-Amz-Target TrentService.<operation>")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, kmsMaxBody))
	if err != nil {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "ValidationException", "request body too large")
		return
	}
	switch op {
	case "CreateKey":
		k.createKey(w)
	case "GenerateDataKey":
		k.generateDataKey(w, body)
	case "Decrypt":
		k.decrypt(w, body)
	default:
		writeJSONError(w, http.StatusBadRequest, "UnsupportedOperation", "the local KMS does not support "+op)
	}
}

func (k *KMS) arn(id string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", k.region, k.account, id)
}

func (k *KMS) createKey(w http.ResponseWriter) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		writeJSONError(w, http.StatusInternalServerError, "KMSInternalException", "no randomness")
		return
	}
	aead := mustGCM(key)
	id := newUUID()
	k.mu.Lock()
	k.keys[id] = aead
	k.order = append(k.order, id)
	k.mu.Unlock()
	writeJSON(w, kmsContentType, map[string]any{"KeyMetadata": map[string]any{
		"KeyId": id, "Arn": k.arn(id), "Enabled": true, "KeyState": "Enabled",
		"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "AWSAccountId": k.account,
	}})
}

func mustGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // 32-byte keys only
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// keyFor resolves a key id or key ARN (aliases are not modelled).
func (k *KMS) keyFor(ref string) (string, cipher.AEAD, bool) {
	id := ref
	if i := strings.LastIndex(ref, ":key/"); i >= 0 && strings.HasPrefix(ref, "arn:") {
		id = ref[i+len(":key/"):]
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	a, ok := k.keys[id]
	return id, a, ok
}

// contextAAD encodes an encryption context canonically (sorted keys,
// length-prefixed) so equal maps give equal bytes.
func contextAAD(ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for key := range ec {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	var out []byte
	for _, key := range keys {
		for _, s := range []string{key, ec[key]} {
			out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
			out = append(out, s...)
		}
	}
	return out
}

type kmsRequest struct {
	KeyID             string            `json:"KeyId"`
	KeySpec           string            `json:"KeySpec"`
	NumberOfBytes     int               `json:"NumberOfBytes"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	CiphertextBlob    []byte            `json:"CiphertextBlob"`
}

func (k *KMS) generateDataKey(w http.ResponseWriter, body []byte) {
	var in kmsRequest
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "request is not valid JSON")
		return
	}
	size := 0
	switch {
	case in.KeySpec == "AES_256" && in.NumberOfBytes == 0:
		size = 32
	case in.KeySpec == "AES_128" && in.NumberOfBytes == 0:
		size = 16
	case in.KeySpec == "" && in.NumberOfBytes >= 1 && in.NumberOfBytes <= 1024:
		size = in.NumberOfBytes
	default:
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "specify KeySpec (AES_256, AES_128) or NumberOfBytes (1-1024), not both")
		return
	}
	id, aead, ok := k.keyFor(in.KeyID)
	if !ok {
		writeJSONError(w, http.StatusBadRequest, "NotFoundException", "key "+in.KeyID+" does not exist")
		return
	}
	plain := make([]byte, size)
	if _, err := rand.Read(plain); err != nil {
		writeJSONError(w, http.StatusInternalServerError, "KMSInternalException", "no randomness")
		return
	}
	writeJSON(w, kmsContentType, map[string]any{"KeyId": k.arn(id), "Plaintext": plain, "CiphertextBlob": wrap(id, aead, plain, in.EncryptionContext)})
}

// wrap: key id length(1) | key id | nonce(12) | GCM(plaintext).
func wrap(id string, aead cipher.AEAD, plain []byte, ec map[string]string) []byte {
	out := append([]byte{byte(len(id))}, id...)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, append(append([]byte(nil), out[:1+len(id)]...), contextAAD(ec)...))
}

func (k *KMS) decrypt(w http.ResponseWriter, body []byte) {
	var in kmsRequest
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "request is not valid JSON")
		return
	}
	blob := in.CiphertextBlob
	if len(blob) < 1 || len(blob) < 1+int(blob[0])+12+16 {
		writeJSONError(w, http.StatusBadRequest, "InvalidCiphertextException", "ciphertext is malformed")
		return
	}
	id := string(blob[1 : 1+int(blob[0])])
	_, aead, ok := k.keyFor(id)
	if !ok {
		writeJSONError(w, http.StatusBadRequest, "InvalidCiphertextException", "ciphertext was not produced by a key of this KMS")
		return
	}
	if in.KeyID != "" {
		if want, _, _ := k.keyFor(in.KeyID); want != id {
			writeJSONError(w, http.StatusBadRequest, "IncorrectKeyException", "the ciphertext was encrypted under a different key")
			return
		}
	}
	hdr := 1 + len(id)
	plain, err := aead.Open(nil, blob[hdr:hdr+12], blob[hdr+12:], append(append([]byte(nil), blob[:hdr]...), contextAAD(in.EncryptionContext)...))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "InvalidCiphertextException", "ciphertext or encryption context does not match")
		return
	}
	writeJSON(w, kmsContentType, map[string]any{"KeyId": k.arn(id), "Plaintext": plain, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
}
