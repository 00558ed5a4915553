// Package openapi is the machine-readable contract of the Hotline 12345 HTTP
// API: the OpenAPI 3.1 document openapi.yaml, which the api function serves as
// GET /openapi.json and the end-to-end suite validates every request and answer
// against. It lives outside internal/ so that clients of the API can use it.
package openapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed openapi.yaml
var document []byte

// YAML returns the document as written.
func YAML() []byte { return slices.Clone(document) }

// converted is the document as JSON, converted on first use: the api function
// serves it on every request, and YAML is slow to parse.
var converted = sync.OnceValues(func() ([]byte, error) { return toJSON(document) })

// JSON returns the document as JSON, with the keys in the order of the YAML.
// It panics if openapi.yaml is not valid YAML, which the package's tests rule
// out.
func JSON() []byte {
	b, err := converted()
	if err != nil {
		panic(fmt.Sprintf("openapi.yaml: %v", err))
	}
	return slices.Clone(b)
}

// ETag is a strong entity tag of JSON(): it changes whenever the document does.
func ETag() string {
	sum := sha256.Sum256(JSON())
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// toJSON converts a YAML document to compact JSON, keeping the order of
// mapping keys (encoding/json would sort them, and a reader of the served
// document expects the order it was written in). Mapping keys must be strings;
// anchors and aliases are expanded.
func toJSON(y []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(y, &root); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeJSON(&b, &root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: a document must hold one value", n.Line)
		}
		return writeJSON(b, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				return fmt.Errorf("line %d: mapping keys must be strings", k.Line)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeValue(b, k.Value); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeJSON(b, v); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, v := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, v); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary":
			// A plain 2026-11-30 is a string in JSON, as JSON Schema's format
			// date expects.
			return writeValue(b, n.Value)
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		return writeValue(b, v)
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func writeValue(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline
	return nil
}
