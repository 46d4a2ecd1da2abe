//go:build !sjson

package main

import "encoding/json"

// rewrite decodes the body into a map, sets model and encodes it again; nil when it is not JSON.
func rewrite(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	doc["model"] = "bench-model"
	out, err := json.Marshal(doc)
	if err != nil {
		return nil
	}
	return out
}
